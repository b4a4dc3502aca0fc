"""The sandbox's loader: installs the shipped modules from one bundle file, then runs an entry.

Passed to the interpreter as its -c program (so it is no file anywhere):

    python -P -s -S -B -c LOADER BUNDLE MODULE [ARGS...]   import MODULE, call MODULE.main(ARGS)
    python -P -s -S -B -c LOADER --compile OUT             compile stdin's bundle to OUT

A bundle is marshal data: {module name: (is package, file name, source or code object)}. The
host makes it from this package's files (runner/launchers/shipping.py); --compile turns the
sources into code objects once, with the interpreter that will run them. The sandbox never
reads the checkout: the bundle reaches it over a memfd or a private temporary file.
"""

import marshal
import sys
from importlib.machinery import ModuleSpec


class BundleFinder:
    """Finds and executes the bundle's modules; every other import is left to the rest."""

    def __init__(self, modules):
        self.modules = modules

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        is_package, filename, _ = self.modules[name]
        return ModuleSpec(name, self, origin=filename, is_package=is_package)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        _, filename, code = self.modules[module.__name__]
        module.__file__ = filename
        if isinstance(code, str):
            code = compile(code, filename, "exec", dont_inherit=True)
        exec(code, module.__dict__)


def compile_bundle(out):
    modules = marshal.loads(sys.stdin.buffer.read())
    compiled = {
        name: (is_package, filename, compile(source, filename, "exec", dont_inherit=True))
        for name, (is_package, filename, source) in modules.items()
    }
    with open(out, "wb") as file:
        marshal.dump(compiled, file)


def main():
    if sys.argv[1] == "--compile":
        compile_bundle(sys.argv[2])
        return
    path, entry, *args = sys.argv[1:]
    with open(path, "rb") as file:
        modules = marshal.load(file)
    sys.meta_path.insert(0, BundleFinder(modules))
    __import__(entry)
    sys.modules[entry].main(args)


if __name__ == "__main__":
    main()
