#!/usr/bin/env python3
"""Writes the golden values the signal tests compare against (test/fixtures/signal/*.json).

numpy/scipy are the reference implementations:
  * band powers: scipy.signal.periodogram and scipy.signal.welch with a symmetric 512-point Hann
    window, one-sided density times the bin width, summed over [lo, hi) bins;
  * filters: scipy.signal.butter(4, …, output="sos", fs=fs) and scipy.signal.iirnotch, magnitude
    responses by scipy.signal.sosfreqz, and a time-domain run through scipy.signal.sosfilt;
  * PPG: a synthetic photoplethysmogram built from known beat times.

Run from the repository root:  python3 scripts/signal-goldens.py
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import signal

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "signal")
BANDS = [("delta", 0.5, 4), ("theta", 4, 8), ("alpha", 8, 13), ("beta", 13, 30), ("gamma", 30, 50), ("high_gamma", 50, 100)]
WINDOW = 512
HOP = 64


def r6(a):
    return [float(f"{v:.6g}") for v in np.asarray(a, dtype=float)]


def band_sums(freqs, bin_power):
    return {name: float(bin_power[(freqs >= lo) & (freqs < hi)].sum()) for name, lo, hi in BANDS}


def sines(fs, n, parts, noise_uv, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    x = noise_uv * rng.standard_normal(n)
    for hz, uv in parts:
        x = x + uv * np.sin(2 * np.pi * hz * t)
    # The tests feed Float32 samples: round here so both sides see the same numbers.
    return x.astype(np.float32).astype(np.float64)


def band_power_cases():
    cases = []
    specs = [
        (256, [(10, 20), (6, 8), (20, 5)], 3, 1),
        (256, [(2, 30), (40, 6), (70, 4)], 5, 2),
        (500, [(10, 15), (25, 10), (60, 3)], 4, 3),
        (1000, [(11.5, 12), (5, 9), (35, 7)], 6, 4),
        (128, [(9, 10), (3, 10), (45, 5)], 2, 5),
    ]
    win = signal.windows.hann(WINDOW, sym=True)
    for fs, parts, noise, seed in specs:
        # A single window: the periodogram.
        x = sines(fs, WINDOW, parts, noise, seed)
        f, pxx = signal.periodogram(x, fs=fs, window=win, detrend=False, scaling="density")
        periodogram = band_sums(f, pxx * fs / WINDOW)
        # Many overlapping windows (hop 64 as the band analyzer): Welch's average.
        n_long = WINDOW + 40 * HOP
        y = sines(fs, n_long, parts, noise, seed + 100)
        f2, pyy = signal.welch(y, fs=fs, window=win, nperseg=WINDOW, noverlap=WINDOW - HOP, detrend=False, scaling="density")
        welch = band_sums(f2, pyy * fs / WINDOW)
        cases.append({
            "fs": fs, "parts": [{"hz": h, "uv": u} for h, u in parts], "noise_uv": noise,
            "window": r6(x), "periodogram": periodogram,
            "long": r6(y), "welch": welch, "welch_segments": int((n_long - WINDOW) // HOP + 1),
        })
    return cases


def filter_cases():
    configs = [
        {"sample_rate": 256, "high_pass_hz": 0.5, "low_pass_hz": 50, "notch": "Hz60", "notch_bandwidth_hz": 1},
        {"sample_rate": 250, "high_pass_hz": 1, "low_pass_hz": 40, "notch": "Hz50", "notch_bandwidth_hz": 1},
        {"sample_rate": 1000, "high_pass_hz": 0.5, "low_pass_hz": 100, "notch": "Hz60", "notch_bandwidth_hz": 2},
        {"sample_rate": 500, "high_pass_hz": None, "low_pass_hz": 30, "notch": None, "notch_bandwidth_hz": 1},
        {"sample_rate": 2000, "high_pass_hz": 3, "low_pass_hz": None, "notch": "Hz50", "notch_bandwidth_hz": 0.5},
    ]
    out = []
    for cfg in configs:
        fs = cfg["sample_rate"]
        sos = []
        if cfg["high_pass_hz"] is not None:
            sos.append(signal.butter(4, cfg["high_pass_hz"], btype="highpass", output="sos", fs=fs))
        if cfg["low_pass_hz"] is not None:
            sos.append(signal.butter(4, cfg["low_pass_hz"], btype="lowpass", output="sos", fs=fs))
        notch_sos = []
        if cfg["notch"] is not None:
            f0 = 50.0 if cfg["notch"] == "Hz50" else 60.0
            h = 1
            while h * f0 < fs / 2:
                # −3 dB points at h·f0 ± notch_bandwidth_hz: Q = centre / full width.
                b, a = signal.iirnotch(h * f0, Q=h * f0 / (2 * cfg["notch_bandwidth_hz"]), fs=fs)
                notch_sos.append(np.concatenate([b, a])[None, :])
                h += 1
        butter = np.vstack(sos) if sos else np.zeros((0, 6))
        chain = np.vstack(sos + notch_sos) if (sos or notch_sos) else np.zeros((0, 6))
        freqs = np.unique(np.concatenate([
            np.geomspace(0.05, fs / 2 * 0.999, 300),
            np.arange(1, int(fs / 2), 1.0),
        ]))
        def db(s):
            if len(s) == 0:
                return np.zeros_like(freqs)
            _, hresp = signal.sosfreqz(s, worN=freqs, fs=fs)
            return 20 * np.log10(np.maximum(np.abs(hresp), 1e-300))
        # A time-domain run from rest (zero state; the input starts at 0).
        n = int(2 * fs)
        rng = np.random.default_rng(11)
        t = np.arange(n) / fs
        x = (10 * np.sin(2 * np.pi * 10 * t) + 5 * np.sin(2 * np.pi * 60 * t) + 3 * rng.standard_normal(n)).astype(np.float32).astype(np.float64)
        x[0] = 0.0
        y = signal.sosfilt(chain, x) if len(chain) else x.copy()
        out.append({
            "config": cfg,
            "butter_sos": [r6(row) for row in butter],
            "freqs": r6(freqs),
            "butter_db": r6(db(butter)),
            "chain_db": r6(db(chain)),
            "input": r6(x),
            "output": r6(y),
        })
    return out


def ppg_case(fs, seconds, mean_ibi, rsa_s, seed):
    """IR/red/ambient PPG from known beats: a systolic Gaussian and a dicrotic wave per beat,
    baseline wander with breathing at 0.25 Hz, sensor noise, DC ≈ 60 000 counts."""
    rng = np.random.default_rng(seed)
    beats = [0.5]
    while beats[-1] < seconds + 2:
        t = beats[-1]
        ibi = mean_ibi + rsa_s * math.sin(2 * math.pi * 0.25 * t) + 0.01 * rng.standard_normal()
        beats.append(t + ibi)
    beats = np.array(beats)
    n = int(seconds * fs)
    t = np.arange(n) / fs
    pulse = np.zeros(n)
    for b in beats:
        pulse += np.exp(-0.5 * ((t - b - 0.12) / 0.06) ** 2) + 0.35 * np.exp(-0.5 * ((t - b - 0.38) / 0.08) ** 2)
    breathing = np.sin(2 * np.pi * 0.25 * t)
    ir = 60000 - 900 * pulse + 300 * breathing + 40 * rng.standard_normal(n)
    red = 40000 - 500 * pulse + 200 * breathing + 40 * rng.standard_normal(n)
    ambient = 2000 + 20 * rng.standard_normal(n)
    inside = beats[(beats > 0) & (beats < seconds)]
    ibis = np.diff(inside)
    return {
        "fs": fs, "seconds": seconds,
        "ambient": r6(ambient), "ir": r6(ir), "red": r6(red),
        "beat_times_s": r6(inside),
        "hr_bpm": float(60 / ibis.mean()),
        "rmssd_ms": float(np.sqrt(np.mean(np.diff(ibis * 1000) ** 2))),
        "sdnn_ms": float(np.std(ibis * 1000)),
        "respiratory_rate_bpm": 15.0,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {"numpy": np.__version__, "scipy": scipy.__version__}
    files = {
        "band-powers.json": {"meta": meta, "window": WINDOW, "hop": HOP, "bands": [{"name": n, "lo": lo, "hi": hi} for n, lo, hi in BANDS], "cases": band_power_cases()},
        "filters.json": {"meta": meta, "cases": filter_cases()},
        "ppg.json": {"meta": meta, "cases": [
            ppg_case(64, 90, 0.8, 0.04, 21),    # 75 bpm with respiratory sinus arrhythmia
            ppg_case(64, 90, 1.15, 0.06, 22),   # 52 bpm
            ppg_case(64, 90, 0.52, 0.015, 23),  # 115 bpm
        ]},
    }
    for name, data in files.items():
        path = os.path.join(OUT, name)
        with open(path, "w") as fh:
            json.dump(data, fh, separators=(",", ":"))
            fh.write("\n")
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path) // 1024} KiB)")


if __name__ == "__main__":
    main()
