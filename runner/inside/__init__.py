"""What runs inside the sandbox: the harness and the warm path's zygote server.

Standard library only, and never imported by the host at run time: the launchers read these
files as bytes and ship them in (runner/launchers/shipping.py), where runner/inside/loader.py
installs them, with the side-neutral runner/protocol.py and runner/procfs.py, under their own
names. Only tests import them on the host (runner/inside/clock.py is pure).
"""
