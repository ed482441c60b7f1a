"""Benchmark chapter 7's convolutions on this machine: `make bench`.

Usage: python tools/bench.py [--quick] [--output _build/bench/results.json]

Loads the implementations from chapters/07_how_fast_is_a_convolution.ipynb (which runs the
chapter once), times each one with the chapter's own `median_seconds` (a warm-up call, then
repeats, larger counts than the chapter uses), prints a table and the chapter's
three targets, and writes one JSON record per implementation and case: implementation, case,
median seconds, GFLOP/s and GB/s (the bytes a case must at least read and write), plus the
machine's measured matrix-product rate and copy bandwidth. `--quick` uses small sizes and few
repeats, to check that the benchmark works rather than to measure.
"""

import argparse
import json
import os
import platform
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "07_how_fast_is_a_convolution.ipynb"


def load_chapter():
    if not CHAPTER.exists():
        sys.exit(f"error: {CHAPTER.relative_to(ROOT)} is missing; the benchmark times that chapter's functions")
    os.environ.setdefault("MPLBACKEND", "Agg")
    # importnb turns markdown cells into string literals, and LaTeX in them ("\times") into SyntaxWarnings
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    from importnb import Notebook

    print(f"Loading the implementations from {CHAPTER.relative_to(ROOT)} (this runs the chapter once)...", flush=True)
    return Notebook.load_file(str(CHAPTER))


def record(implementation, case, seconds, flops, moved_bytes, **extra):
    return {
        "implementation": implementation,
        "case": case,
        "median_seconds": seconds,
        "gflops_per_second": flops / seconds / 1e9,
        "gbytes_per_second": moved_bytes / seconds / 1e9,
        **extra,
    }


def single_channel(chapter, sizes, kernel_sides, repeats):
    import jax

    versions = {
        "shifted slices": chapter.corr2d_shifted,
        "im2col + matmul": chapter.corr2d_im2col,
        "library (lax.conv_general_dilated)": chapter.corr2d_library,
        "FFT": chapter.corr2d_fft,
    }
    records = []
    for size in sizes:
        image = jax.random.normal(jax.random.key(0), (size, size))
        for k in kernel_sides if size == 256 else [3]:
            kernel = jax.random.normal(jax.random.key(1), (k, k))
            out = size - k + 1
            flops, moved = 2 * k * k * out * out, 4 * (size * size + out * out + k * k)
            if k == 3:  # a yardstick: the simplest JAX function that returns a new image of this size
                seconds = chapter.median_seconds(
                    chapter.add_one, image, repeats=repeats if size < 512 else max(3, repeats // 3)
                )
                records.append(
                    record(
                        "x + 1 (yardstick, not a convolution)",
                        f"{size} x {size}, 3 x 3 kernel",
                        seconds,
                        size * size,
                        8 * size * size,
                    )
                )
            for name, function in versions.items():
                if name == "shifted slices" and k > 15:
                    continue  # k * k slices: compiling it takes longer than it is worth
                seconds = chapter.median_seconds(
                    function, image, kernel, repeats=repeats if size < 512 else max(3, repeats // 3)
                )
                records.append(record(name, f"{size} x {size}, {k} x {k} kernel", seconds, flops, moved))
    for size in [12, 24]:  # the loop: a millisecond per output, so small images only
        image, kernel = jax.random.normal(jax.random.key(0), (size, size)), jax.random.normal(jax.random.key(1), (3, 3))
        seconds = chapter.median_seconds(chapter.corr2d_loop, image, kernel, repeats=1)
        out = size - 2
        records.append(
            record(
                "loop (definition)",
                f"{size} x {size}, 3 x 3 kernel",
                seconds,
                18 * out * out,
                4 * (size * size + out * out + 9),
                seconds_per_output=seconds / out / out,
            )
        )
    return records


def layer(chapter, batch, side, channels, repeats):
    import jax

    versions = {
        "library (lax.conv_general_dilated)": chapter.conv_layer_library,
        "im2col": chapter.conv_layer_im2col,
        "im2col per image": chapter.conv_layer_im2col_per_image,
        "shifted matmuls": chapter.conv_layer_shifted_matmuls,
    }
    images = jax.random.normal(jax.random.key(2), (batch, side, side, channels))
    kernel = jax.random.normal(jax.random.key(3), (3, 3, channels, channels)) / 24
    flops = 2 * batch * side * side * channels * channels * 9
    moved = 4 * (2 * batch * side * side * channels + 9 * channels * channels)
    case = f"batch {batch}, {side} x {side}, {channels} -> {channels} channels, 3 x 3"
    return [
        record(name, case, chapter.median_seconds(jax.jit(function), images, kernel, repeats=repeats), flops, moved)
        for name, function in versions.items()
    ]


def machine(chapter, matmul_side, copy_sizes_mb):
    """The chapter's own measurements of the two limits: matrix-product rate and copy bandwidth."""
    return {
        "matmul_gflops_per_second": chapter.matmul_flops_per_second(matmul_side) / 1e9,
        "matmul_side": matmul_side,
        # the chapter's copy takes its working set in bytes (source and destination; 1 MB = 10^6 bytes)
        "copy_gbytes_per_second": {
            f"{mb:g} MB working set": chapter.copy_bytes_per_second(mb * 1e6) / 1e9 for mb in copy_sizes_mb
        },
        "cores": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def targets(records, machine_info, roofline_size):
    def seconds(implementation, case):
        return next(r["median_seconds"] for r in records if r["implementation"] == implementation and r["case"] == case)

    case = f"{roofline_size} x {roofline_size}, 3 x 3 kernel"
    best = min(
        (r for r in records if r["case"] == case and not r["implementation"].startswith(("loop", "x + 1"))),
        key=lambda r: r["median_seconds"],
    )
    add_one = seconds("x + 1 (yardstick, not a convolution)", case)
    in_cache = next(iter(machine_info["copy_gbytes_per_second"].values())) * 1e9
    moved = 4 * (roofline_size**2 + (roofline_size - 2) ** 2 + 9)
    layer_records = [r for r in records if r["case"].startswith("batch")]
    hand_written = max(
        (r for r in layer_records if not r["implementation"].startswith("library")),
        key=lambda r: r["gflops_per_second"],
    )
    loop = [r["seconds_per_output"] for r in records if r["implementation"] == "loop (definition)"]
    library_256 = (
        seconds("library (lax.conv_general_dilated)", "256 x 256, 3 x 3 kernel")
        if any(r["case"] == "256 x 256, 3 x 3 kernel" for r in records)
        else None
    )
    return {
        "single_channel_best": best["implementation"],
        "single_channel_case": case,
        "single_channel_times_roofline": best["median_seconds"] / (moved / in_cache),
        "single_channel_times_add_one": best["median_seconds"] / add_one,
        "multi_channel_best_hand_written": hand_written["implementation"],
        "multi_channel_fraction_of_matmul": hand_written["gflops_per_second"]
        / machine_info["matmul_gflops_per_second"],
        "loop_to_library_at_256_extrapolated": (
            sorted(loop)[len(loop) // 2] * 254**2 / library_256 if library_256 else None
        ),
    }


def print_report(records, machine_info, goals):
    print(f"\n{'implementation':<36}{'case':<48}{'median ms':>11}{'GFLOP/s':>9}{'GB/s':>8}")
    for r in records:
        print(
            f"{r['implementation']:<36}{r['case']:<48}{r['median_seconds'] * 1e3:11.3f}"
            f"{r['gflops_per_second']:9.1f}{r['gbytes_per_second']:8.1f}"
        )
    copies = ", ".join(f"{size}: {rate:.1f} GB/s" for size, rate in machine_info["copy_gbytes_per_second"].items())
    print(
        f"\nMachine: {machine_info['cores']} cores; matrix product ({machine_info['matmul_side']}^2) "
        f"{machine_info['matmul_gflops_per_second']:.0f} GFLOP/s; copy {copies}"
    )
    print("Targets (reported, not asserted):")
    print(
        f"  best single-channel ({goals['single_channel_best']}, {goals['single_channel_case']}): "
        f"{goals['single_channel_times_roofline']:.1f}x the time to move its bytes at in-cache bandwidth "
        "(target: within 2x), "
        f"{goals['single_channel_times_add_one']:.1f}x the time of x + 1 on the same image"
    )
    print(
        f"  best hand-written multi-channel ({goals['multi_channel_best_hand_written']}): "
        f"{goals['multi_channel_fraction_of_matmul']:.0%} of the matrix-product rate (target: 25% or more)"
    )
    if goals["loop_to_library_at_256_extrapolated"]:
        print(f"  loop / library at 256 x 256, extrapolated: {goals['loop_to_library_at_256_extrapolated']:,.0f}x")


def run(chapter, quick, output):
    """Time everything, print the report and write the JSON results; returns them."""
    if quick:
        sizes, kernel_sides, repeats, layer_shape, matmul_side, copies, roofline = (
            [32, 256],
            [3, 7],
            2,
            (2, 14, 8),
            256,
            [0.25, 4],
            256,
        )
    else:
        sizes, kernel_sides, repeats, layer_shape, matmul_side, copies, roofline = (
            [32, 64, 128, 256, 512, 1024],
            [3, 7, 15, 25],
            21,
            (8, 56, 64),
            2048,
            [0.25, 256],
            512,
        )
    print("Timing...", flush=True)
    records = single_channel(chapter, sizes, kernel_sides, repeats)
    records += layer(chapter, *layer_shape, repeats=max(3, repeats // 3))
    machine_info = machine(chapter, matmul_side, copies)
    results = {"machine": machine_info, "targets": targets(records, machine_info, roofline), "records": records}
    print_report(records, machine_info, results["targets"])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1))
    print(f"\nWrote {output}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats: check, don't measure")
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "bench" / "results.json")
    options = parser.parse_args()
    run(load_chapter(), options.quick, options.output)


if __name__ == "__main__":
    main()
