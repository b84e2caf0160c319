"""`nnplay sweep`: the table, the files, --json, resume, and errors as one line."""

import json

from nnplay.cli import main

ARGS = ["sweep", "gates", "--gate", "XOR", "--lr", "0.3", "--hidden", "none,4", "--seeds", "3", "--epochs", "150",
        "--workers", "1", "--no-png"]


def test_sweep_gates_writes_files_and_resumes(tmp_path, capsys):
    out = tmp_path / "xor"
    assert main(ARGS + ["--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "hidden" in text and "success_rate" in text and "2 of 2 cells (0 read back" in text
    for name in ("results.json", "results.csv", "heatmap.html", "sweep.json"):
        assert (out / name).exists()
    assert len((out / "results.csv").read_text().splitlines()) == 3
    assert main(ARGS + ["--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["cells_reused"] == 2 and summary["axes"] == [{"field": "hidden", "values": [[], [4]]}]
    by = {c["key"]: c["result"] for c in summary["cells"]}
    assert by["hidden=none"]["success_rate"] == 0 and by["hidden=4"]["success_rate"] > 0
    assert by["hidden=4"]["seeds"] == 3 and summary["cells"][0]["config"]["lr"] == 0.3


def test_vary_flag_and_user_errors(tmp_path, capsys):
    assert main(["sweep", "gates", "--vary", "activation=tanh,relu", "--seeds", "1", "--epochs", "20",
                 "--workers", "1", "--no-png", "--json", "--out", str(tmp_path / "v")]) == 0
    assert [a["field"] for a in json.loads(capsys.readouterr().out)["axes"]] == ["activation"]
    for bad, words in ((["--vary", "seed=1,2"], "--seeds"), (["--lr", "0.1,x"], "lr must be a number"),
                       (["--vary", "lr=1,2", "--vary", "hidden=2,3", "--vary", "activation=relu"], "at most 2")):
        assert main(["sweep", "gates", "--seeds", "1", "--out", str(tmp_path / "e")] + bad) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and "Traceback" not in err
