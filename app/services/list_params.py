"""The query of a list filtered per column (`f_<column>`), sorted and paged, as the documents'
and the invoices' lists read it (the workforce list and the reports have their own, with more)."""

from dataclasses import dataclass, field

from app.services.employee_list import parse_page, parse_size


@dataclass
class ListParams:
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    descending: bool = True
    page: int = 1
    size: int = 25

    @classmethod
    def parse(cls, args, filtered, sorts, dated: tuple[str, ...]) -> "ListParams":
        """From the query string: f_<column> for the `filtered` columns, sort (one of `sorts`,
        by default the first of `dated`), desc (newest first by default on a `dated` column;
        an explicit "desc" wins), page and size. Bad values are ignored."""
        filters = {
            name: args.get(f"f_{name}", "").strip()
            for name in filtered
            if args.get(f"f_{name}", "").strip()
        }
        sort = args.get("sort") if args.get("sort") in sorts else dated[0]
        return cls(
            filters=filters,
            sort=sort,
            descending=args.get("desc", "1" if sort in dated else "0") == "1",
            page=parse_page(args.get("page")),
            size=parse_size(args.get("size")),
        )
