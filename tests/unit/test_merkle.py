"""The Merkle tree of the sealed record (domain/record/merkle.py) and its tiles (tiles.py), checked
against published test vectors — RFC 6962 has none of its own — and an independent implementation.

- transparency-dev/merkle (the Go library behind Trillian, Tessera and the Go checksum database):
  leaf inputs, node and root hashes of testonly/constants.go; inclusion and consistency proofs of
  proof/verify_test.go, with that file's ways of corrupting a proof (corruptInclusionProof,
  corruptConsistencyProof), each of which must fail;
- pymerkle (an RFC 9162 implementation in Python): roots and proofs of random trees up to 300 leaves;
- C2SP tlog-tiles: the naming of tiles."""

import random

import pymerkle
import pytest

from akimat_reception.domain.record import merkle, tiles

# transparency-dev/merkle testonly/constants.go: LeafInputs()
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
# ... NodeHashes(): every complete subtree of the tree of LeafInputs(), by level, then index
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
# ... RootHashes(): the root of the tree of the first n leaves, n = 0..8
ROOT_HASHES = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
ROOTS = [bytes.fromhex(h) for h in ROOT_HASHES]
# proof/verify_test.go: inclusionProofs (leaf numbered from 1, as there) and consistencyProofs
INCLUSION_PROOFS = [
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (3, 3, ["fac54203"]),
    (2, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]
# The proofs' hashes are all node hashes of constants.go (verify_test.go writes them in full): named
# here by their first four bytes and looked up, so that every one is checked to be a node of the tree.
BY_PREFIX = {h[:8]: bytes.fromhex(h) for level in NODE_HASHES for h in level}
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")  # sha256SomeHash

LEAVES = [merkle.leaf_hash(data) for data in LEAF_INPUTS]


def _proof(prefixes):
    return [BY_PREFIX[p] for p in prefixes]


def test_leaf_hashes_are_the_vectors_level_zero():
    assert [leaf.hex() for leaf in LEAVES] == NODE_HASHES[0]


def test_root_of_every_prefix_is_the_vectors_root():
    assert [merkle.root_of(LEAVES[:n]) for n in range(9)] == ROOTS


def test_compact_range_gives_the_same_root_at_every_size():
    compact: merkle.Compact = []
    assert merkle.compact_root(compact) == ROOTS[0]
    for n, leaf in enumerate(LEAVES, start=1):
        merkle.append(compact, leaf)
        assert merkle.compact_size(compact) == n
        assert merkle.compact_root(compact) == ROOTS[n]


def test_compact_range_reports_exactly_the_complete_subtrees():
    """on_node hears of each complete subtree above the leaves once, as NodeHashes lists them."""
    heard: list[tuple[int, int, str]] = []
    compact: merkle.Compact = []
    for leaf in LEAVES:
        merkle.append(compact, leaf, lambda height, index, value: heard.append((height, index, value.hex())))
    expected = [(h, i, value) for h, level in enumerate(NODE_HASHES) if h for i, value in enumerate(level)]
    assert sorted(heard) == sorted(expected)
    assert compact == [(3, bytes.fromhex(NODE_HASHES[3][0]))]


def test_compact_range_holds_one_subtree_per_set_bit_of_the_size():
    """testonly's CompactTrees(): the compact range of each size, largest subtree first."""
    nh = [[bytes.fromhex(h) for h in level] for level in NODE_HASHES]
    expected = [
        [],
        [(0, nh[0][0])],
        [(1, nh[1][0])],
        [(1, nh[1][0]), (0, nh[0][2])],
        [(2, nh[2][0])],
        [(2, nh[2][0]), (0, nh[0][4])],
        [(2, nh[2][0]), (1, nh[1][2])],
        [(2, nh[2][0]), (1, nh[1][2]), (0, nh[0][6])],
        [(3, nh[3][0])],
    ]
    compact: merkle.Compact = []
    for size in range(9):
        assert compact == expected[size]
        if size < 8:
            merkle.append(compact, LEAVES[size])


@pytest.mark.parametrize("leaf, size, proof", INCLUSION_PROOFS)
def test_inclusion_proofs_are_the_vectors(leaf, size, proof):
    reader = merkle.memory_reader(LEAVES)
    assert merkle.inclusion_proof(reader, leaf - 1, size) == _proof(proof)
    merkle.verify_inclusion(leaf - 1, size, LEAVES[leaf - 1], _proof(proof), ROOTS[size])


def _corrupt_inclusion(index, size, proof, root, leaf):
    """verify_test.go's corruptInclusionProof: every probe must fail."""
    probes = [
        (index - 1, size, root, leaf, proof, "leafIndex - 1"),
        (index + 1, size, root, leaf, proof, "leafIndex + 1"),
        (index ^ 2, size, root, leaf, proof, "leafIndex ^ 2"),
        (index, size * 2, root, leaf, proof, "treeSize * 2"),
        (index, size // 2, root, leaf, proof, "treeSize / 2"),
        (index, size, root, b"WrongLeaf", proof, "wrong leaf"),
        (index, size, ROOTS[0], leaf, proof, "empty root"),
        (index, size, SOME_HASH, leaf, proof, "random root"),
        (index, size, root, leaf, [*proof, b""], "trailing garbage"),
        (index, size, root, leaf, [*proof, root], "trailing root"),
        (index, size, root, leaf, [b"", *proof], "preceding garbage"),
        (index, size, root, leaf, [root, *proof], "preceding root"),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
        probes.append((index, size, root, leaf, wrong, f"modified proof[{i}] bit 3"))
    if proof:
        probes.append((index, size, root, leaf, proof[:-1], "removed component"))
    if len(proof) > 1:
        probes.append((index, size, root, leaf, [proof[0], SOME_HASH, *proof[1:]], "inserted component"))
    return probes


@pytest.mark.parametrize("leaf, size, proof", INCLUSION_PROOFS)
def test_corrupted_inclusion_proofs_fail(leaf, size, proof):
    verified = []
    for index, tree_size, root, leaf_hash, bad, description in _corrupt_inclusion(
        leaf - 1, size, _proof(proof), ROOTS[size], LEAVES[leaf - 1]
    ):
        try:
            merkle.verify_inclusion(index, tree_size, leaf_hash, bad, root)
            verified.append(description)
        except merkle.ProofError:
            pass
    assert verified == []


@pytest.mark.parametrize("index, size", [(0, 0), (1, 0), (2, 1)])
def test_inclusion_in_a_tree_too_small_fails(index, size):
    """TestVerifyInclusion's probes: no leaf is at `index` of a tree of `size`."""
    for leaf, root in ((SOME_HASH, b""), (b"", ROOTS[0]), (SOME_HASH, ROOTS[0])):
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(index, size, leaf, [], root)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(merkle.memory_reader(LEAVES), index, size)


def test_inclusion_in_a_tree_of_one_leaf():
    """TestVerifyInclusionSingleEntry: the root of one leaf is that leaf, and the proof is empty."""
    leaf = merkle.leaf_hash(b"data")
    merkle.verify_inclusion(0, 1, leaf, [], leaf)
    for leaf_hash, root in ((b"", leaf), (leaf, b""), (b"", b"")):
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(0, 1, leaf_hash, [], root)


@pytest.mark.parametrize("old, new, proof", CONSISTENCY_PROOFS)
def test_consistency_proofs_are_the_vectors(old, new, proof):
    reader = merkle.memory_reader(LEAVES)
    assert merkle.consistency_proof(reader, old, new) == _proof(proof)
    merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], _proof(proof))


def _corrupt_consistency(size1, size2, root1, root2, proof):
    """verify_test.go's corruptConsistencyProof: every probe must fail."""
    probes = [
        (size1 - 1, size2, root1, root2, proof, "size1 - 1"),
        (size1 + 1, size2, root1, root2, proof, "size1 + 1"),
        (size1 ^ 2, size2, root1, root2, proof, "size1 ^ 2"),
        (size1, size2 * 2, root1, root2, proof, "size2 * 2"),
        (size1, size2 // 2, root1, root2, proof, "size2 / 2"),
        (size1, size2, b"WrongRoot", root2, proof, "wrong root1"),
        (size1, size2, root1, b"WrongRoot", proof, "wrong root2"),
        (size1, size2, root2, root1, proof, "swapped roots"),
        (size1, size2, root1, root2, [], "empty proof"),
        (size1, size2, root1, root2, [*proof, b""], "trailing garbage"),
        (size1, size2, root1, root2, [*proof, root1], "trailing root1"),
        (size1, size2, root1, root2, [*proof, root2], "trailing root2"),
        (size1, size2, root1, root2, [b"", *proof], "preceding garbage"),
        (size1, size2, root1, root2, [root1, *proof], "preceding root1"),
        (size1, size2, root1, root2, [root2, *proof], "preceding root2"),
        (size1, size2, root1, root2, [proof[0], *proof], "preceding proof[0]"),
        (size1, size2, root1, root2, proof[:-1], "truncated proof"),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 16]) + wrong[i][1:]
        probes.append((size1, size2, root1, root2, wrong, f"modified proof[{i}] bit 4"))
    return probes


@pytest.mark.parametrize("old, new, proof", [p for p in CONSISTENCY_PROOFS if p[2]])
def test_corrupted_consistency_proofs_fail(old, new, proof):
    verified = []
    for size1, size2, root1, root2, bad, description in _corrupt_consistency(
        old, new, ROOTS[old], ROOTS[new], _proof(proof)
    ):
        try:
            merkle.verify_consistency(size1, size2, root1, root2, bad)
            verified.append(description)
        except merkle.ProofError:
            pass
    assert verified == []


DONT_CARE_1, DONT_CARE_2 = b"don't care 1", b"don't care 2"


@pytest.mark.parametrize(
    "size1, size2, root1, root2, proof, valid",
    [
        # TestVerifyConsistency's table
        (0, 0, DONT_CARE_1, DONT_CARE_2, [], False),
        (1, 1, DONT_CARE_1, DONT_CARE_2, [], False),
        (0, 0, DONT_CARE_1, DONT_CARE_1, [], True),
        (0, 1, DONT_CARE_1, DONT_CARE_2, [], True),
        (1, 1, DONT_CARE_2, DONT_CARE_2, [], True),
        (1, 0, DONT_CARE_1, DONT_CARE_2, [], False),
        (2, 1, DONT_CARE_1, DONT_CARE_2, [], False),
        (1, 2, DONT_CARE_1, DONT_CARE_2, [], False),
        (0, 0, ROOTS[0], DONT_CARE_2, [], False),
        (1, 1, ROOTS[0], DONT_CARE_2, [], False),
        (0, 0, ROOTS[0], ROOTS[0], [ROOTS[0]], False),
        (0, 1, ROOTS[0], ROOTS[0], [ROOTS[0]], False),
        (1, 1, ROOTS[0], ROOTS[0], [ROOTS[0]], False),
    ],
)
def test_consistency_of_trivial_sizes(size1, size2, root1, root2, proof, valid):
    if valid:
        merkle.verify_consistency(size1, size2, root1, root2, proof)
    else:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, size2, root1, root2, proof)


def test_every_proof_of_the_vector_tree_verifies():
    """Beyond the listed vectors: every inclusion and consistency proof among the 8 leaves."""
    reader = merkle.memory_reader(LEAVES)
    for size in range(1, 9):
        for index in range(size):
            proof = merkle.inclusion_proof(reader, index, size)
            merkle.verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size])
        for old in range(size + 1):
            merkle.verify_consistency(old, size, ROOTS[old], ROOTS[size], merkle.consistency_proof(reader, old, size))
        assert merkle.subtree_root(reader, 0, size) == ROOTS[size]


# --- pymerkle, an independent implementation --------------------------------------------------------


def test_roots_and_proofs_agree_with_pymerkle_up_to_300_leaves():
    rng = random.Random(6962)
    entries = [rng.randbytes(rng.randrange(0, 40)) for _ in range(300)]
    reference = pymerkle.InmemoryTree(algorithm="sha256")
    leaves = [merkle.leaf_hash(entry) for entry in entries]
    reader = merkle.memory_reader(leaves)
    compact: merkle.Compact = []
    for size, entry in enumerate(entries, start=1):
        reference.append_entry(entry)
        merkle.append(compact, leaves[size - 1])
        root = reference.get_root(size)
        assert merkle.root_of(leaves[:size]) == root == merkle.compact_root(compact)
        # a few proofs per size, made by our code, verified against pymerkle's roots; the inclusion
        # path is pymerkle's (which starts with the leaf), and pymerkle accepts our roots for its
        # consistency proofs (laid out its own way, not as RFC 6962's list)
        for index in rng.sample(range(size), min(size, 3)):
            proof = merkle.inclusion_proof(reader, index, size)
            merkle.verify_inclusion(index, size, leaves[index], proof, root)
            assert reference.prove_inclusion(index + 1, size).path[1:] == proof
        old = rng.randrange(1, size + 1)
        proof = merkle.consistency_proof(reader, old, size)
        merkle.verify_consistency(old, size, reference.get_root(old), root, proof)
        theirs = reference.prove_consistency(old, size)
        pymerkle.verify_consistency(merkle.root_of(leaves[:old]), merkle.compact_root(compact), theirs)


# --- tiles (c2sp.org/tlog-tiles) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "n, path", [(0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")]
)
def test_tile_index_encoding(n, path):
    assert tiles.encode_index(n) == path
    assert tiles.decode_index(path) == n


@pytest.mark.parametrize("path", ["", "1", "0001", "x1/001", "x001", "001/002", "xx001/002", "x000/001", "x001/"])
def test_tile_index_not_in_its_one_spelling_is_refused(path):
    """One tile, one name: x000/001 and xx001/002 are no other spellings of tiles 1 and 1002."""
    with pytest.raises(ValueError):
        tiles.decode_index(path)


def test_tile_paths_and_widths():
    assert tiles.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tiles.tile_path(0, 1234067, 8) == "tile/0/x001/x234/067.p/8"
    assert tiles.tile_path(1, 0, 1) == "tile/1/000.p/1"
    assert tiles.level0_tiles(0) == []
    assert tiles.level0_tiles(256) == [(0, 256)]
    assert tiles.level0_tiles(600) == [(0, 256), (1, 256), (2, 88)]


def test_tiles_hold_the_leaf_hashes_in_order():
    data = tiles.tile_bytes(LEAVES)
    assert len(data) == 8 * 32 and tiles.split_tile(data) == LEAVES
    with pytest.raises(ValueError):
        tiles.split_tile(data[:-1])
