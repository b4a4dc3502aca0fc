"""Template filters for card text."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from quiz.rendering import render_markdown, render_markdown_inline

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def markdown_inline(text: str) -> SafeString:
    return render_markdown_inline(text)
