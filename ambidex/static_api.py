"""The read-only part of the API as files, for a web server or CDN to serve at static-file speed.

`write(documents, site)` puts, under `site/api/v1/`, every answer that does not depend on a query
(each concept and reference, the default pages of both lists, the graph, types, tags and
health) as `<path>.json`, each with a gzip-compressed `<path>.json.gz` beside it (for nginx's
`gzip_static`). A file holds the same bytes as the live answer to its URL:

    /api/v1/health                              -> api/v1/health.json
    /api/v1/concepts                            -> api/v1/concepts.json
    /api/v1/concepts?page=2&per_page=20         -> api/v1/concepts.page-2.json
    /api/v1/concepts/role-ambiguity             -> api/v1/concepts/role-ambiguity.json
    /api/v1/references/gabler2017dark           -> api/v1/references/gabler2017dark.json

Page files sit beside the folders of concepts and references, never in them, so no page can be
taken for an id or a key. Search, the guide, filtered lists and exports stay with the live API.
The files are written beside the previous copy and switched in by renaming the folder.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel

from ambidex.documents import PER_PAGE, PREFIX, Documents, dump, last_page, pack

API_DIR = PREFIX.strip("/")  # api/v1, under the site


def answers(documents: Documents) -> Iterator[tuple[str, str, bytes]]:
    """(URL, file path under api/v1, gzip-compressed body) of every static answer."""
    yield f"{PREFIX}/health", "health.json", pack(dump(documents.health()))
    yield f"{PREFIX}/types", "types.json", pack(dump(documents.types()))
    yield f"{PREFIX}/tags", "tags.json", pack(dump(documents.tags()))
    yield f"{PREFIX}/graph", "graph.json", pack(dump(documents.graph()))
    kb = documents.kb
    lists: tuple[tuple[str, int, Callable[[int], BaseModel]], ...] = (
        ("concepts", len(kb.concepts), lambda p: documents.concepts(page=p)),
        ("references", len(kb.references), lambda p: documents.references(page=p)),
    )
    for name, count, page_of in lists:
        for page in range(1, last_page(count) + 1):
            body = pack(dump(page_of(page)))
            if page == 1:
                yield f"{PREFIX}/{name}", f"{name}.json", body
            yield f"{PREFIX}/{name}?page={page}&per_page={PER_PAGE}", f"{name}.page-{page}.json", body
    for concept_id in kb.concepts:
        yield (
            f"{PREFIX}/concepts/{concept_id}",
            f"concepts/{concept_id}.json",
            documents.concept_json(concept_id),
        )
    for key in kb.references:
        yield f"{PREFIX}/references/{key}", f"references/{key}.json", documents.reference_json(key)


def write(documents: Documents, site: Path) -> int:
    """Write the static answers under `site/api/v1`, replacing an older copy; their number."""
    target = site / API_DIR
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".v1-", dir=target.parent))
    count = 0
    try:
        made: set[Path] = set()
        for _url, name, packed in answers(documents):
            path = fresh / name
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(gzip.decompress(packed))
            path.with_name(path.name + ".gz").write_bytes(packed)
            count += 1
        os.chmod(fresh, 0o755)
        old = target.with_name(f".v1-old-{os.getpid()}")
        if target.exists():
            os.replace(target, old)
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return count
