#!/usr/bin/env python3
"""Reads and checks an EDF+ file against the EDF+ specification, using the standard library only.

    python3 scripts/edf-check.py FILE.edf [--values]

Written from the specifications (https://www.edfplus.info/specs/edf.html and
https://www.edfplus.info/specs/edfplus.html), not from the daemon's writer, so a test can use it as
an independent reader. Prints one JSON object: the header fields, each signal's header, the onset of
every data record (from its time-keeping TAL) and, with --values, every signal's samples converted
to physical units. Any violation found is printed to stderr and the exit status is 1.
"""
import json
import re
import struct
import sys

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
# A TAL: onset, optional duration, annotations separated and ended by 0x14, the TAL ended by 0x00.
TAL = re.compile(rb"([+-]\d+(?:\.\d+)?)(?:\x15(\d+(?:\.\d+)?))?\x14((?:[^\x00]*?\x14)*)\x00")


class EdfError(Exception):
    pass


def ascii_field(raw, name):
    if any(b < 32 or b > 126 for b in raw):
        raise EdfError(f"{name}: bytes outside printable ASCII")
    return raw.decode("ascii")


def number(text, name, integer=False):
    t = text.strip()
    try:
        return int(t) if integer else float(t)
    except ValueError:
        raise EdfError(f"{name}: {text!r} is not a {'integer' if integer else 'number'}")


def read(path, want_values):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 256:
        raise EdfError("file shorter than the 256-byte header")
    fixed = [("version", 8), ("patient", 80), ("recording", 80), ("startdate", 8), ("starttime", 8),
             ("header_bytes", 8), ("reserved", 44), ("n_records", 8), ("record_duration", 8), ("ns", 4)]
    pos = 0
    h = {}
    for name, width in fixed:
        h[name] = ascii_field(data[pos:pos + width], name)
        pos += width
    if h["version"] != "0       ":
        raise EdfError(f"version field is {h['version']!r}, must be '0' padded with spaces")
    ns = number(h["ns"], "ns", True)
    header_bytes = number(h["header_bytes"], "header_bytes", True)
    if header_bytes != 256 * (ns + 1):
        raise EdfError(f"header_bytes {header_bytes} != 256 * (ns + 1) = {256 * (ns + 1)}")
    per_signal = [("label", 16), ("transducer", 80), ("dimension", 8), ("pmin", 8), ("pmax", 8), ("dmin", 8),
                  ("dmax", 8), ("prefilter", 80), ("spr", 8), ("reserved", 32)]
    signals = [{} for _ in range(ns)]
    for name, width in per_signal:
        for i in range(ns):
            signals[i][name] = ascii_field(data[pos:pos + width], f"signal {i} {name}")
            pos += width
    for i, s in enumerate(signals):
        for k in ("pmin", "pmax"):
            s[k] = number(s[k], f"signal {i} {k}")
        for k in ("dmin", "dmax", "spr"):
            s[k] = number(s[k], f"signal {i} {k}", True)
        s["label"] = s["label"].rstrip(" ")
        s["dimension"] = s["dimension"].rstrip(" ")
        s["transducer"] = s["transducer"].rstrip(" ")
        s["prefilter"] = s["prefilter"].rstrip(" ")
        del s["reserved"]
        if s["dmin"] >= s["dmax"]:
            raise EdfError(f"signal {i}: digital minimum {s['dmin']} not below maximum {s['dmax']}")
        if s["pmin"] == s["pmax"]:
            raise EdfError(f"signal {i}: physical minimum equals maximum")
        if not (-32768 <= s["dmin"] and s["dmax"] <= 32767):
            raise EdfError(f"signal {i}: digital range outside 16 bits")

    # EDF+ specifics.
    if not h["reserved"].startswith("EDF+C") and not h["reserved"].startswith("EDF+D"):
        raise EdfError(f"reserved field {h['reserved'].strip()!r} does not start with EDF+C or EDF+D")
    patient = h["patient"].split()
    if len(patient) < 4:
        raise EdfError(f"patient field has {len(patient)} subfields, EDF+ needs 4 (code sex birthdate name)")
    recording = h["recording"].split()
    if len(recording) < 5 or recording[0] != "Startdate":
        raise EdfError("recording field must be 'Startdate dd-MMM-yyyy code technician equipment'")
    m = re.fullmatch(r"(\d\d)-([A-Z]{3})-(\d{4})", recording[1])
    if not m or m.group(2) not in MONTHS:
        raise EdfError(f"recording start date {recording[1]!r} is not dd-MMM-yyyy")
    dd, mm, yy = h["startdate"].split(".")
    if (dd, int(mm), yy) != (m.group(1), MONTHS.index(m.group(2)) + 1, m.group(3)[2:]):
        raise EdfError(f"startdate {h['startdate']} disagrees with recording field {recording[1]}")
    if not re.fullmatch(r"\d\d\.\d\d\.\d\d", h["starttime"]):
        raise EdfError(f"starttime {h['starttime']!r} is not hh.mm.ss")
    annotations = [i for i, s in enumerate(signals) if s["label"] == "EDF Annotations"]
    if not annotations:
        raise EdfError("no 'EDF Annotations' signal")
    for i in annotations:
        if signals[i]["dmin"] != -32768 or signals[i]["dmax"] != 32767:
            raise EdfError("annotation signal digital range must be -32768..32767")

    n_records = number(h["n_records"], "n_records", True)
    duration = number(h["record_duration"], "record_duration")
    record_bytes = 2 * sum(s["spr"] for s in signals)
    if len(data) != header_bytes + n_records * record_bytes:
        raise EdfError(f"file is {len(data)} bytes, header says {header_bytes} + {n_records} x {record_bytes}")

    onsets = []
    values = {s["label"]: [] for i, s in enumerate(signals) if i not in annotations} if want_values else None
    for r in range(n_records):
        base = header_bytes + r * record_bytes
        off = base
        for i, s in enumerate(signals):
            raw = data[off:off + 2 * s["spr"]]
            off += 2 * s["spr"]
            if i == annotations[0]:
                first = TAL.match(raw)
                if not first or first.group(2) is not None or first.group(3) != b"\x14":
                    raise EdfError(f"record {r}: annotation signal does not start with a time-keeping TAL")
                onsets.append(float(first.group(1)))
            elif want_values and i not in annotations:
                scale = (s["pmax"] - s["pmin"]) / (s["dmax"] - s["dmin"])
                digital = struct.unpack(f"<{s['spr']}h", raw)
                values[s["label"]].extend((d - s["dmin"]) * scale + s["pmin"] for d in digital)
    if h["reserved"].startswith("EDF+C"):
        for r, onset in enumerate(onsets):
            if abs(onset - (onsets[0] + r * duration)) > 1e-6:
                raise EdfError(f"record {r}: onset {onset} breaks the continuous time line of EDF+C")
    out = {
        "patient": h["patient"].rstrip(), "recording": h["recording"].rstrip(), "startdate": h["startdate"],
        "starttime": h["starttime"], "reserved": h["reserved"].rstrip(), "header_bytes": header_bytes,
        "n_records": n_records, "record_duration": duration, "signals": signals, "onsets": onsets,
    }
    if want_values:
        out["values"] = values
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(json.dumps(read(argv[1], "--values" in argv[2:])))
    except EdfError as e:
        print(f"EDF check failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
