"""Run one Azure sample as ``__main__`` with the WAV microphone and file speaker of ``wav_pyaudio`` as ``pyaudio``.

Usage: ``python run_sample.py SAMPLE.py [ARGS...]``; the sample itself is run unchanged (its module-level
``os.chdir`` and all), with the environment the test gives it.
"""

from __future__ import annotations

import pathlib
import runpy
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main() -> None:
    sys.path.insert(0, str(HERE))
    import wav_pyaudio

    sys.modules["pyaudio"] = wav_pyaudio
    sample = pathlib.Path(sys.argv[1]).resolve()
    sys.argv = [str(sample), *sys.argv[2:]]
    sys.path[0] = str(sample.parent)
    runpy.run_path(str(sample), run_name="__main__")


if __name__ == "__main__":
    main()
