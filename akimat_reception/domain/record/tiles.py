"""C2SP tlog-tiles naming and level-0 tiles: how a log's leaf hashes are published as static files
(`tile/0/x001/x234/067`, the rightmost partial one `tile/0/x001/x234/067.p/13`), so that a mirror or
a verifier holds every leaf hash without the server. Standard library only."""

from __future__ import annotations

from collections.abc import Sequence

TILE_WIDTH = 256


def encode_index(n: int) -> str:
    """1234067 -> "x001/x234/067": groups of three digits, all but the last prefixed with x."""
    digits = f"{n:d}"
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def decode_index(path: str) -> int:
    """The inverse of encode_index, for its own spelling only: "xx001/002" or "x000/001" would give
    one tile two names, so that a verifier could read the same leaves twice."""
    groups = path.split("/")
    digits = [g[1:] for g in groups[:-1] if g.startswith("x")] + [groups[-1]]
    if len(digits) != len(groups) or any(len(d) != 3 or not (d.isascii() and d.isdigit()) for d in digits):
        raise ValueError(f"not a tile index: {path!r}")
    n = int("".join(digits))
    if encode_index(n) != path:
        raise ValueError(f"not a tile index: {path!r}")
    return n


def tile_path(level: int, n: int, width: int = TILE_WIDTH) -> str:
    """The path of tile n of a level, partial when width < 256."""
    path = f"tile/{level}/{encode_index(n)}"
    return path if width == TILE_WIDTH else f"{path}.p/{width}"


def level0_tiles(size: int) -> list[tuple[int, int]]:
    """(tile index, width) of every level-0 tile of a tree of `size` leaves."""
    full, rest = divmod(size, TILE_WIDTH)
    return [(n, TILE_WIDTH) for n in range(full)] + ([(full, rest)] if rest else [])


def tile_bytes(leaf_hashes: Sequence[bytes]) -> bytes:
    return b"".join(leaf_hashes)


def split_tile(data: bytes) -> list[bytes]:
    if len(data) % 32:
        raise ValueError("a tile is a whole number of 32-byte hashes")
    return [data[i : i + 32] for i in range(0, len(data), 32)]
