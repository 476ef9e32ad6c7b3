"""An import-linter contract type: a package reached only through its public interface.

``forbidden`` contracts list what may not be imported, so a module added later is open
until someone remembers to forbid it. This contract lists what may be imported instead:
an importer may import a module of ``package`` directly only when the module is declared
public, or lies inside a package declared open and has no ``_private`` segment. Anything
added to ``package`` later is private until it is declared.

Loaded by import-linter from ``pyproject.toml`` (``contract_types``); ``make lint`` runs it.
"""

from __future__ import annotations

from typing import Any, cast

from importlinter import Contract, ContractCheck, fields, output


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


class PublicInterfaceContract(Contract):
    """Options: ``importers`` (modules whose imports are checked, with their descendants),
    ``package`` (the package they reach into), ``public_modules`` (importable as they
    are), ``open_packages`` (importable with every module inside that is not private)."""

    importers = fields.ListField(subfield=fields.StringField())
    package = fields.StringField()
    public_modules = fields.ListField(subfield=fields.StringField())
    open_packages = fields.ListField(subfield=fields.StringField(), required=False)

    def _public(self, module: str) -> bool:
        # import-linter has replaced each field by its parsed value by now.
        if module in cast(list[str], self.public_modules):
            return True
        for pkg in cast(list[str] | None, self.open_packages) or []:
            if _inside(module, pkg):
                rest = module[len(pkg) :].split(".")
                return not any(part.startswith("_") for part in rest if part)
        return False

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        package = cast(str, self.package)
        broken: list[dict[str, Any]] = []
        for root in cast(list[str], self.importers):
            for importer in sorted({root, *graph.find_descendants(root)}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if not _inside(imported, package) or self._public(imported):
                        continue
                    lines = [
                        d["line_number"]
                        for d in graph.get_import_details(importer=importer, imported=imported)
                    ]
                    broken.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for b in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in b["lines"]) or "?"
            output.print_error(
                f"{b['importer']} imports {b['imported']} ({where}), which is not public",
                bold=False,
            )
        output.new_line()
        output.print("Public: the modules in public_modules, and the non-_private modules of")
        output.print("the open_packages. Import through those, or declare the module public.")
