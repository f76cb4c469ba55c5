"""The Merkle tree of RFC 6962 (and its successor RFC 9162, section 2.1): hashes, the compact
range that lets a log grow one leaf at a time, and inclusion and consistency proofs — made from
any store of complete subtrees, and checked with nothing but hashes.

Pure Python and the standard library only: the independent verifier (akimat_reception/verifier.py)
and the saved verifier page's script check proofs with the same algorithms, away from the server.
The test vectors of transparency-dev/merkle check every function (tests/unit/test_merkle.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _largest_power_below(n: int) -> int:
    """The k of RFC 6962's split: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of a list of leaf hashes, computed bottom-up (for tests and small trees)."""
    compact: list[tuple[int, bytes]] = []
    for leaf in leaves:
        append(compact, leaf)
    return compact_root(compact)


# The compact range: the roots of the perfect subtrees that make up a tree of size n, largest
# first (one per set bit of n), each with its height. Appending a leaf merges equal heights.
Compact = list[tuple[int, bytes]]


def append(compact: Compact, leaf: bytes, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
    """Adds a leaf hash to the compact range in place. `on_node(height, index, hash)` hears of
    every complete subtree made, so that a store can keep the ones it wants."""
    size = sum(1 << height for height, _ in compact)
    height, index, value = 0, size, leaf
    while compact and compact[-1][0] == height:
        _, left = compact.pop()
        value = node_hash(left, value)
        height, index = height + 1, index >> 1
        if on_node is not None:
            on_node(height, index, value)
    compact.append((height, value))


def compact_root(compact: Compact) -> bytes:
    if not compact:
        return EMPTY_ROOT
    value = compact[-1][1]
    for _, left in reversed(compact[:-1]):
        value = node_hash(left, value)
    return value


def compact_size(compact: Compact) -> int:
    return sum(1 << height for height, _ in compact)


# A store of complete subtrees: node(height, index) is the hash of leaves
# [index * 2**height, (index + 1) * 2**height), all of which exist.
NodeReader = Callable[[int, int], bytes]


def subtree_root(node: NodeReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range that RFC 6962's recursion reaches (start aligned to the
    range's largest power of two), from complete subtrees only."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return node(n.bit_length() - 1, start // n)
    k = _largest_power_below(n)
    return node_hash(subtree_root(node, start, start + k), subtree_root(node, start + k, end))


def inclusion_proof(node: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1: the audit path of leaf `index` in a tree of `size`."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    return _path(node, index, 0, size)


def _path(node: NodeReader, m: int, start: int, end: int) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = _largest_power_below(n)
    if m < k:
        return _path(node, m, start, start + k) + [subtree_root(node, start + k, end)]
    return _path(node, m - k, start + k, end) + [subtree_root(node, start, start + k)]


def consistency_proof(node: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2: that the tree of `old_size` is a prefix of the
    tree of `new_size`."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    return _subproof(node, old_size, 0, new_size, True)


def _subproof(node: NodeReader, m: int, start: int, end: int, complete: bool) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [subtree_root(node, start, end)]
    k = _largest_power_below(n)
    if m <= k:
        return _subproof(node, m, start, start + k, complete) + [subtree_root(node, start + k, end)]
    return _subproof(node, m - k, start + k, end, False) + [subtree_root(node, start, start + k)]


class ProofError(ValueError):
    """A proof that does not prove what it claims."""


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that an inclusion proof leads to (RFC 9162 section 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    if len(leaf) != len(EMPTY_ROOT):  # as transparency-dev/merkle: else b"" would prove b"" in a tree of one
        raise ProofError("a leaf hash is 32 bytes")
    fn, sn, value = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("the proof is too long")
        if fn & 1 or fn == sn:
            value = node_hash(sibling, value)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            value = node_hash(value, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is too short")
    return value


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raises ProofError unless `leaf` is at `index` of the tree of `size` whose root is `root`."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("the proof leads to another root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Raises ProofError unless the tree (old_size, old_root) is a prefix of (new_size, new_root)
    (RFC 9162 section 2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"a tree of {new_size} cannot extend one of {old_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("trees of one size need an empty proof")
        if old_root != new_root:
            raise ProofError("two roots for one size")
        return
    if old_size == 0:
        if proof:
            raise ProofError("the empty tree needs an empty proof")
        return
    if not proof:
        raise ProofError("the proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the proof's first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is too short")
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root")


def memory_reader(leaves: Sequence[bytes]) -> NodeReader:
    """A NodeReader over leaf hashes in memory (for the verifier and tests): subtrees computed, cached."""
    cache: dict[tuple[int, int], bytes] = {}

    def node(height: int, index: int) -> bytes:
        if height == 0:
            return leaves[index]
        key = (height, index)
        if key not in cache:
            cache[key] = node_hash(node(height - 1, 2 * index), node(height - 1, 2 * index + 1))
        return cache[key]

    return node


def hexes(values: Iterable[bytes]) -> list[str]:
    return [v.hex() for v in values]
