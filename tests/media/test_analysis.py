from framecast.media.analysis import parse_analysis

LOG = """
[blackdetect @ 0x1] black_start:0 black_end:1.2 black_duration:1.2
[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 3.5
[freezedetect @ 0x2] lavfi.freezedetect.freeze_duration: 4
[freezedetect @ 0x2] lavfi.freezedetect.freeze_end: 7.5
[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 9
[silencedetect @ 0x3] silence_start: 2.25
[silencedetect @ 0x3] silence_end: 5.5 | silence_duration: 3.25
[Parsed_ebur128_3 @ 0x4] Summary:
  Integrated loudness:
    I:         -16.1 LUFS
  True peak:
    Peak:       -0.4 dBFS
"""


def test_detections_are_paired_and_an_open_stretch_runs_to_the_end():
    m = parse_analysis(LOG, duration=12.0)
    assert m.black == [(0.0, 1.2)]
    assert m.frozen == [(3.5, 7.5), (9.0, 12.0)]
    assert m.silent == [(2.25, 5.5)]
    assert (m.integrated_lufs, m.true_peak_db) == (-16.1, -0.4)
