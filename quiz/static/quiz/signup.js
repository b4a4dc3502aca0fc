// Sign-up: fill the hidden time zone field with the browser's own IANA zone.
(() => {
  const field = document.getElementById("id_time_zone");
  if (field && !field.value) {
    try {
      field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      field.value = "";
    }
  }
})();
