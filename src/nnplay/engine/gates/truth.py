"""Boolean functions as truth tables.

A boolean function of n inputs is fully described by its truth table: the output
for each of the 2**n input rows. We write the outputs as a string of 0/1 read in
row order, with x1 as the *high* bit:

    rows (2 inputs):  x1 x2 = 00, 01, 10, 11        "0110" is XOR
    rows (3 inputs):  x1 x2 x3 = 000, 001, ..., 111  "01101001" is 3-input parity

So there are 2**4 = 16 functions of two inputs and 2**8 = 256 of three. Of the 16,
exactly two (XOR "0110" and XNOR "1001") are not linearly separable: no single
straight line splits their 1s from their 0s, which is why a network with no hidden
layer cannot learn them (Minsky & Papert, 1969).
"""

from __future__ import annotations

import itertools

from ..errors import ConfigError

# name -> truth-table string (rows in the order described above). One name per table:
# these keys are the names the picker offers, errors list and links carry.
GATES: dict[str, str] = {
    "AND": "0001",
    "OR": "0111",
    "XOR": "0110",
    "NAND": "1110",
    "NOR": "1000",
    "XNOR": "1001",
    # 3 inputs: parity is 1 when an odd number of inputs are 1 (x1 XOR x2 XOR x3);
    # majority is 1 when at least two of the three are 1.
    "XOR3": "01101001",
    "MAJORITY": "00010111",
}

# Other spellings that are accepted (old links, the CLI) and turned into the name above.
ALIASES: dict[str, str] = {"PARITY3": "XOR3"}

# A readable name for each of the 16 two-input functions (for labels and reports).
TWO_INPUT_NAMES: dict[str, str] = {
    "0000": "FALSE",
    "0001": "AND",
    "0010": "x1 AND NOT x2",
    "0011": "x1",
    "0100": "NOT x1 AND x2",
    "0101": "x2",
    "0110": "XOR",
    "0111": "OR",
    "1000": "NOR",
    "1001": "XNOR",
    "1010": "NOT x2",
    "1011": "x1 OR NOT x2",
    "1100": "NOT x1",
    "1101": "NOT x1 OR x2",
    "1110": "NAND",
    "1111": "TRUE",
}


def parse_truth_table(gate: str) -> tuple[int, ...]:
    """A gate name (any case) or a 4/8-character 0/1 string -> its outputs as ints.

    >>> parse_truth_table("xor")
    (0, 1, 1, 0)
    >>> parse_truth_table("00010111")   # majority of three
    (0, 0, 0, 1, 0, 1, 1, 1)
    """
    text = str(gate).strip()
    name = ALIASES.get(text.upper(), text.upper())
    if name in GATES:
        text = GATES[name]
    if set(text) <= {"0", "1"} and len(text) in (4, 8):
        return tuple(int(c) for c in text)
    names = ", ".join(GATES)
    if text and set(text) <= {"0", "1"}:
        raise ConfigError(f"truth table {gate!r} has {len(text)} digits; it needs 4 (2 inputs: rows 00,01,10,11) "
                          f"or 8 (3 inputs: rows 000..111)")
    if len(text) in (4, 8) and (any(c in "01" for c in text) or text.isdigit()):
        raise ConfigError(f"truth table {gate!r} may hold only the digits 0 and 1, e.g. 0110 for XOR")
    raise ConfigError(f"unknown gate {gate!r}; use one of {names}, or a truth table of 4 or 8 digits "
                      f"0/1 such as 0110 (XOR, rows 00,01,10,11)")


def canonical_gate(gate: str) -> str:
    """The one spelling of a gate: its name in GATES when its table has one, else the
    0/1 table. 'xor', '0110' -> 'XOR'; 'parity3' -> 'XOR3'; '0010' -> '0010'.
    Raises ConfigError for what parse_truth_table refuses."""
    table = table_string(gate)
    for name, bits in GATES.items():
        if bits == table:
            return name
    return table


def table_string(gate: str) -> str:
    """The canonical 0/1 string of a gate name or table: 'xor' -> '0110'."""
    return "".join(str(v) for v in parse_truth_table(gate))


def n_inputs_of(gate: str) -> int:
    """2 for a 4-row table, 3 for an 8-row table."""
    return 2 if len(parse_truth_table(gate)) == 4 else 3


def input_rows(n_inputs: int) -> list[tuple[int, ...]]:
    """All 2**n input rows in truth-table order (x1 is the high bit):
    n=2 -> [(0,0), (0,1), (1,0), (1,1)]."""
    return list(itertools.product((0, 1), repeat=n_inputs))


def gate_label(gate: str) -> str:
    """A human name: 'XOR (0110)', 'x1 AND NOT x2 (0010)', 'MAJORITY (00010111)'."""
    table = table_string(gate)
    name = canonical_gate(table)
    if name in GATES:
        return f"{name} ({table})"
    if table in TWO_INPUT_NAMES:
        return f"{TWO_INPUT_NAMES[table]} ({table})"
    return f"custom ({table})"
