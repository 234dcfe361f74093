"""The choice between tesseract's and PP-OCR's readings of a line (fieldkit.ocr.choice), on engine
outputs recorded from real photographs and synthetic markings: no engine runs here."""

from __future__ import annotations

import pytest

from fieldkit.ocr.choice import CALIBRATION, EngineReading, calibrate, choose, hangul_consensus, line_script
from fieldkit.ocr.correction import correct


def tess(text, confidence, detail="eng+kor+rus, psm 7"):
    return EngineReading("tesseract", text, confidence, detail)


def pp(text, confidence, detail="as cropped", partial=False):
    return EngineReading("ppocr", text, confidence, detail, partial=partial)


def test_a_latin_chip_marking_goes_to_the_surer_calibrated_reading():
    # recorded on an ATmega328P top-marking: tesseract read 3 as S
    choice = choose([tess("ATMEGAS28P", 84.0), pp("ATMEGA328P", 0.9999)])
    assert choice.text == "ATMEGA328P" and choice.engine == "ppocr"
    assert "over tesseract's 'ATMEGAS28P'" in choice.basis
    # the confidence shown is the calibrated one, not the engine's raw 0..1 or 0..100
    assert choice.confidence == pytest.approx(100 * calibrate("ppocr", 0.9999), abs=0.1)


def test_hangul_read_by_tesseract_is_kept_over_ppocr_which_has_no_hangul():
    # a KEPCO meter nameplate: PP-OCR writes Hangul as CJK look-alikes
    readings = [tess("고객상담 전화 : 053)582-6521", 62.0), pp("卫耳：053)582-6521", 0.95)]
    choice = choose(readings)
    assert choice.engine == "tesseract" and choice.text.startswith("고객상담")
    assert "Hangul" in choice.basis
    assert any("not chosen: the line is Hangul" in note for note in readings[1].notes)


def test_ppocr_ideographs_alone_mark_a_hangul_line():
    script, why = line_script([tess("", 0.0), pp("只豐：SCE1521", 0.8)])
    assert script == "hangul" and "CJK" in why


@pytest.mark.parametrize(
    "tesseract_text",
    [
        "СУР 606541",  # C, Y/У and P are letters both scripts draw: they never decide the script
        "CYP 6Ч6541",  # one stray letter only Cyrillic has does not either
    ],
)
def test_shared_letters_and_one_stray_letter_do_not_make_a_latin_line_cyrillic(tesseract_text):
    choice = choose([tess(tesseract_text, 70.0), pp("CYP 606541", 0.97)])
    assert choice.text == "CYP 606541" and choice.engine == "ppocr"
    assert line_script([tess(tesseract_text, 70.0)])[0] == "latin"


@pytest.mark.parametrize("confidence", [2.2, 36.0])
def test_hangul_tesseract_read_into_a_line_ppocr_reads_surely_does_not_decide_the_script(confidence):
    # a stamped number on metal, which tesseract read as Hangul (recorded at both confidences)
    choice = choose([tess("바바 297", confidence), pp("30647918", 0.993)])
    assert choice.text == "30647918"


def test_a_cyrillic_line_keeps_tesseract_when_ppocr_has_a_letter_without_cyrillic_twin():
    choice = choose([tess("СДЕЛАНО В СССР", 70.0), pp("CLENAHO B CCCP", 0.89)])
    assert choice.engine == "tesseract" and choice.text == "СДЕЛАНО В СССР"
    assert "Cyrillic" in choice.basis


def test_a_cyrillic_line_takes_ppocr_letters_written_as_cyrillic_with_the_text_as_read_kept():
    # tesseract sees Cyrillic (Б, Ж) but misreads; PP-OCR reads every shape right, in Latin twins
    choice = choose([tess("КРБ80ВЖ80А", 55.0), pp("KP580BM80A", 0.99)])
    assert choice.text == "КР580ВМ80А" and all(ch in "КРВМА0123456789" for ch in choice.text)
    folded = next(r for r in choice.readings if r.text == choice.text)
    assert folded.as_read == "KP580BM80A" and folded.engine == "ppocr"


def test_agreement_between_engines_raises_the_confidence_of_both():
    alone = choose([pp("AU 1004", 0.93)])
    agreed = choose([tess("AU1004", 80.0), pp("AU 1004", 0.93)])
    assert agreed.confidence > alone.confidence
    assert "agrees with" in agreed.basis


def test_a_reading_the_reference_tables_know_beats_a_slightly_surer_one_that_matches_nothing():
    # 9M22Y is a known designation (su-grad-9m22u-designation); "9N22Y" matches nothing
    choice = choose([tess("9M22Y", 88.0), pp("9N22Y", 0.93)])
    assert choice.text == "9M22Y"
    assert "su-grad-9m22u-designation" in choice.basis


def test_a_reading_that_starts_with_a_known_part_family_beats_a_surer_one_that_does_not():
    # LM317 is a part_families.csv family; "LN317T" starts with none
    choice = choose([tess("LM317T", 84.0), pp("LN317T", 0.95)])
    assert choice.text == "LM317T"
    assert "starts with the part-number family 'LM317'" in choice.basis


def test_a_wrong_reading_that_tesseract_is_sure_of_is_not_shown_as_sure():
    # issue 18: a wrong "ЭМ22У" showed 93.5
    choice = choose([tess("ЭМ22У", 93.5)])
    assert choice.confidence < 70


@pytest.mark.parametrize("engine", sorted(CALIBRATION))
def test_calibration_is_monotonic_and_within_0_and_1(engine):
    top = CALIBRATION[engine][-1][0]
    values = [calibrate(engine, top * i / 100) for i in range(0, 101)]
    assert values == sorted(values)
    assert 0.0 <= values[0] and values[-1] <= 1.0


def test_nothing_read_by_any_engine_is_an_empty_choice():
    choice = choose([tess("", 0.0), pp("", 0.0)])
    assert choice.text == "" and choice.confidence == 0.0


def test_a_cyrillic_letter_ppocr_read_as_its_nearest_shape_makes_the_line_cyrillic():
    # recorded on a stencilled БК-6М: PP-OCR, which has no Б, read 5; everything else agrees
    choice = choose([tess("БК-6М 1-19", 61.0), pp("5K-6M 1-19", 0.97)])
    assert choice.text == "БК-6М 1-19"
    assert "Б as 5" in choice.basis


def test_in_a_cyrillic_line_the_shapes_come_from_ppocr_and_the_letters_it_lacks_from_tesseract():
    # recorded: tesseract read the Б but misread the digits; PP-OCR read the digits, and 5 for Б
    choice = choose([tess("БК-6М 3-29", 82.5), pp("5K-6M 1-19", 0.9537)])
    assert choice.text == "БК-6М 1-19"
    kept = next(r for r in choice.readings if r.text == choice.text and r.engine == "ppocr")
    assert kept.as_read == "5K-6M 1-19" and "tesseract's Б for 5" in kept.notes[0]


def test_a_shorter_ppocr_reading_of_a_cyrillic_line_does_not_compete():
    # recorded on ЗАВОД 270 83: PP-OCR dropped the Д, which it does not have
    choice = choose([tess("ЗАВОД 270 83", 96.0), pp("3ABO 270 83", 0.98)])
    assert choice.text == "ЗАВОД 270 83"


def test_a_greek_letter_from_ppocr_where_tesseract_read_cyrillic_makes_the_line_cyrillic():
    choice = choose([tess("ОФ-462", 30.0), pp("0Φ-462", 0.95)])
    assert correct(choice.text)[0] == "ОФ-462" and "no script it writes" in choice.basis


def test_a_cyrillic_letter_where_ppocr_read_another_shape_is_no_evidence():
    # the stray Ч of issue 18: PP-OCR read 0 there, not a shape of Ч
    assert line_script([tess("CYP 6Ч6541", 60.0), pp("CYP 606541", 0.97)])[0] == "latin"


def test_a_line_ppocr_reads_as_cjk_and_tesseract_without_hangul_is_read_again_with_kor_alone():
    from fieldkit.ocr.reading import _wants_korean

    # recorded on a 주체113: eng+kor+rus read "4113", PP-OCR "川113"
    assert _wants_korean([tess("4113", 66.0), pp("川113", 0.89)], "eng+kor+rus")
    assert not _wants_korean([tess("주체 113", 66.0), pp("川113", 0.89)], "eng+kor+rus")  # Hangul already read
    # ... unless with Cyrillic letters in it (recorded on the nameplate 033.jpg; see the test below)
    assert _wants_korean([tess("형식승인 : М КТС-6-13-09 호", 89.55), pp("：KTC-G-13-09", 0.963)], "eng+kor+rus")
    assert not _wants_korean([tess("ATMEGA328P", 84.0), pp("ATMEGA328P", 0.99)], "eng+kor+rus")  # a Latin line
    assert not _wants_korean([tess("4113", 66.0), pp("4113", 0.89)], "eng+kor+rus")  # nothing says Hangul
    assert not _wants_korean([tess("4113", 66.0), pp("川113", 0.89)], "kor")  # kor was the only model


def test_a_hangul_line_prefers_a_reading_without_cyrillic_letters_and_takes_ppocr_latin_runs_into_it():
    # recorded on the KEPCO nameplate 033.jpg (tuning split): eng+kor+rus wrote 제 as a Cyrillic М
    # and KTC-G as Cyrillic КТС-6, surely; kor alone read 제, and PP-OCR the Latin run
    readings = [tess("형식승인 : М КТС-6-13-09 호", 89.55),
                pp("：KTC-G-13-09", 0.963, "detected line 1 of 1, at 0°, as cropped"),
                tess("형식승인 : 제 (106-6-13-09 호", 77.75, "kor alone, psm 7, pipeline flattened_small")]
    choice = choose(readings)
    assert choice.text == "형식승인 : 제 KTC-G-13-09 호" and choice.engine == "tesseract"
    assert any("Cyrillic letters in a Hangul line" in note for note in readings[0].notes)
    # without the kor-alone reading, the Cyrillic one is all there is, and stays
    assert choose(readings[:2]).text == "형식승인 : М КТС-6-13-09 호"


def test_a_reading_with_cyrillic_letters_stays_in_a_line_that_is_not_hangul():
    choice = choose([tess("СДЕЛАНО В СССР", 70.0), tess("CDELANO B CCCP", 60.0, "kor alone"), pp("CLENAHO B CCCP", 0.89)])
    assert choice.text == "СДЕЛАНО В СССР"


def line(text, confidence, how="as cropped"):
    from fieldkit.ocr.ppocr import LineReading

    return [LineReading(text, confidence, how)]


def test_tesseract_is_not_run_on_a_line_ppocr_reads_surely_with_letters_only_latin_has():
    from fieldkit.ocr.reading import _tesseract_not_needed

    # recorded on the real chip photo 015.jpg: PP-OCR 'ATMEGA328P' at 0.9999 (tesseract: 'АТМЕСАЗОВР')
    why = _tesseract_not_needed(line("ATMEGA328P", 0.9999), "eng+kor+rus")
    assert why is not None and "(G)" in why and "Latin" in why
    assert _tesseract_not_needed(line("LOT 12-87-270", 0.995, "turned 180°"), "eng+kor+rus") is not None


@pytest.mark.parametrize("text, confidence, languages, how", [
    ("KP580BM80A", 0.9999, "eng+kor+rus", "as cropped"),  # КР580ВМ80А: look-alike letters and digits only
    ("9M22V 4-23", 0.999, "eng+kor+rus", "as cropped"),  # 9М22У: PP-OCR writes У as V
    ("NAPTNR", 0.999, "eng+kor+rus", "as cropped"),  # ПАРТИЯ: N and R are PP-OCR's И/П and Я
    ("ATMEGA328P", 0.97, "eng+kor+rus", "as cropped"),  # not sure enough (calibrated about 0.6)
    ("ATMEGA328P", 0.9999, "kor+rus", "as cropped"),  # English was not asked for
    ("ATMEGA328P", 0.9999, "eng+kor+rus", "detected line 1 of 2, at 30°, as cropped"),  # pieced from detection
    ("川113", 0.999, "eng+kor+rus", "as cropped"),  # CJK: a Hangul line
])
def test_tesseract_still_reads_any_line_that_may_be_cyrillic_or_hangul_or_unsure(text, confidence, languages, how):
    from fieldkit.ocr.reading import _tesseract_not_needed

    assert _tesseract_not_needed(line(text, confidence, how), languages) is None


def test_the_kor_reread_starts_beside_the_main_run_only_when_ppocr_read_cjk():
    from fieldkit.ocr.reading import _may_want_korean

    assert _may_want_korean(line("川113", 0.89), "eng+kor+rus")
    assert not _may_want_korean(line("4113", 0.89), "eng+kor+rus")
    assert not _may_want_korean(line("川113", 0.89), "kor")
    assert not _may_want_korean([], "eng+kor+rus")


class CountingPp:
    """A stand-in recogniser giving recorded readings per orientation, counting the calls."""

    def __init__(self, by_turn):
        self.by_turn, self.calls = by_turn, []

    def recognise(self, images):
        self.calls.append(images[0].size)
        return [self.by_turn[len(self.calls) - 1]]


def test_the_other_way_up_is_read_only_when_the_first_reading_is_not_sure():
    from PIL import Image

    from fieldkit.ocr import ppocr

    strip = Image.new("RGB", (200, 40), "white")
    sure = CountingPp([("ATMEGA328P", 0.999), ("d8ZEVDE", 0.4)])
    assert [r.how for r in ppocr.read_strip(sure, strip, (0, 180))] == ["as cropped"]
    assert len(sure.calls) == 1
    unsure = CountingPp([("d8ZEVDE", 0.62), ("ATMEGA328P", 0.98)])
    readings = ppocr.read_strip(unsure, strip, (0, 180))
    assert len(unsure.calls) == 2
    assert [(r.text, r.how) for r in readings] == [("ATMEGA328P", "turned 180°"), ("d8ZEVDE", "as cropped")]


def test_a_hangul_word_beside_exactly_what_ppocr_read_makes_the_line_hangul():
    # recorded on generated 주체 years (tuning seed 2024): PP-OCR, which has no Hangul, read the
    # year alone and surely; tesseract read 주체 beside the same year
    chosen = choose([tess("주체113", 93.0), pp("113", 1.0)])
    assert chosen.engine == "tesseract" and chosen.text == "주체113"
    assert "beside exactly what PP-OCR read" in chosen.basis
    # an edge mark aside; the year's digits are then PP-OCR's own, which left the edge mark out
    edged = choose([tess("주체112-", 80.67), pp("112", 0.9999)])
    assert edged.engine == "tesseract" and "beside exactly what PP-OCR read" in edged.basis and edged.text == "주체112"
    assert choose([tess("주체 111-4", 86.0), pp("111-4", 0.9982)]).text == "주체 111-4"


@pytest.mark.parametrize("tesseract_text, confidence", [
    ("가 A2C53112154", 88.0),  # one stray syllable read into a Latin line
    ("주체A2C53112154", 60.0),  # a Hangul word tesseract is unsure of
    ("주체 A2C5311215", 90.0),  # the rest is not what PP-OCR read
])
def test_stray_or_unsure_hangul_beside_a_sure_ppocr_reading_does_not_make_the_line_hangul(tesseract_text, confidence):
    chosen = choose([tess(tesseract_text, confidence), pp("A2C53112154", 0.9964)])
    assert chosen.engine == "ppocr" and chosen.text == "A2C53112154"


@pytest.mark.parametrize("misread", ["주챙112", "주청 112"])
def test_che_read_with_a_stray_final_before_a_year_is_corrected_to_juche(misread):
    corrected, corrections = correct(misread)
    assert corrected.replace(" ", "") == "주체112"
    assert corrections[0].basis.startswith("juche-prefix")


# Recorded on synthetic 9М22У stencils (tuning seed 2024): PP-OCR, which has no Cyrillic, writes У as V.
@pytest.mark.parametrize("tesseract_text,confidence,pp_confidence", [("44220 4:74", 66.0, 0.992), ("SM22Y 4-23", 50.5, 0.9369)])
def test_a_designation_the_tables_know_is_read_with_the_cyrillic_letter_ppocr_wrote_as_a_shape(
        tesseract_text, confidence, pp_confidence):
    readings = [tess(tesseract_text, confidence), pp("9M22V 4-23", pp_confidence)]
    choice = choose(readings)
    assert choice.text == "9M22У 4-23" and choice.engine == "ppocr"
    assert "V as У" in choice.basis and "designation the reference tables know" in choice.basis
    assert correct(choice.text)[0] == "9М22У 4-23"  # the script rule writes the whole word in Cyrillic
    # PP-OCR's own reading is kept beside it, and says what it was written as
    assert readings[1].text == "9M22V 4-23" and "written as '9M22У 4-23'" in readings[1].notes[0]


@pytest.mark.parametrize("pp_text", ["5V 1A", "ATMEGA328P", "V123", "M855V"])
def test_no_cyrillic_letter_is_written_where_the_tables_know_no_designation(pp_text):
    # V stays V unless the result is a designation the reference tables know whole
    assert choose([tess("", 0.0), pp(pp_text, 0.99)]).text == pp_text


# Recorded on synthetic 제조 2023 markings (tuning seed 2024) and a KEPCO nameplate (tuning photo 033.jpg).
@pytest.mark.parametrize("tesseract_text,pp_text,chosen", [
    ("제조 2073", "刘圣2023", "제조 2023"),
    ("형식승인 : 제 (106-6-13-09 호", "合：KTC-G-13-09 立", "형식승인 : 제 KTC-G-13-09 호"),
])
def test_in_a_hangul_line_ppocrs_sure_latin_letters_and_digits_replace_tesseracts(tesseract_text, pp_text, chosen):
    readings = [tess(tesseract_text, 94.5), pp(pp_text, 0.941)]
    choice = choose(readings)
    assert choice.text == chosen and choice.engine == "tesseract"
    assert "Latin letters and digits as PP-OCR" in choice.basis and "line is Hangul" in choice.basis
    assert readings[0].text == tesseract_text  # tesseract's own reading is kept as read


@pytest.mark.parametrize("tesseract_text,pp_text,pp_confidence", [
    ("제조 2073", "刘圣2023", 0.75),  # PP-OCR not sure enough
    ("교류 3 상 4 선식 220/380V 100(10)A 60Hz", "3  4 4 220/380V 100(10)A 60Hz", 0.91),  # PP-OCR left the Hangul out: runs differ in number
    ("DAYS 전화 : 053)582-6521", "卫耳：053)582-6521", 0.95),  # Hangul misread as Latin where PP-OCR read CJK stays
])
def test_hangul_line_keeps_tesseracts_runs_where_ppocr_gives_no_surer_counterpart(tesseract_text, pp_text, pp_confidence):
    assert choose([tess(tesseract_text, 88.0), pp(pp_text, pp_confidence)]).text == tesseract_text


def test_a_ppocr_stand_in_for_a_syllable_between_cjk_is_no_run_of_latin_letters_or_digits():
    # recorded on a KEPCO nameplate (tuning photo 034.jpg): PP-OCR read 특수형 as 粤8, so its reading
    # had two runs to tesseract's one; the 8 between CJK characters is left out, and SCE1521 pairs up
    choice = choose([tess("모델명 : 5661521 (특수형)", 73.0, "Hangul, psm 7"), pp("只警：SCE1521（粤8）", 0.8822)])
    assert choice.text == "모델명 : SCE1521 (특수형)"
    assert "'5661521' as 'SCE1521'" in choice.basis


def test_a_one_character_run_of_ppocrs_with_a_space_beside_it_is_still_a_run():
    # the same reading with a space before the 8: it may be a digit of the marking, so the runs do not pair
    choice = choose([tess("모델명 : 5661521 (특수형)", 73.0, "Hangul, psm 7"), pp("只警：SCE1521（粤 8）", 0.8822)])
    assert choice.text == "모델명 : 5661521 (특수형)"


# Recorded on KEPCO nameplates (tuning photos 036.jpg and 033.jpg): tesseract's readings of one line
# by eng+kor+rus with four pipelines, then by the Hangul script model on the crop as it is and gray.
NAMEPLATE_036 = [
    ("고픽상담 전학 : 053)582-6521", 83.0), ("1348 전화 : 053)582-6521", 80.0), ("DAYS 전화 : 053)582-6521", 72.0),
    ("DYYS GA: 053)582-6521", 60.0), ("고객상담 전화 : 053)582-6521", 76.0), ("고객상담 전화 : 053)582-6521", 68.0),
]


def test_the_hangul_most_readings_agree_on_wins_over_the_surest_reading():
    index, why = hangul_consensus(NAMEPLATE_036)
    assert NAMEPLATE_036[index][0] == "고객상담 전화 : 053)582-6521"
    assert NAMEPLATE_036[index][1] == 76.0  # of two equal readings, the surer
    assert "2 read it so" in why and "고객상담전화" in why


def test_readings_with_cyrillic_letters_give_way_in_the_hangul_vote():
    readings = [("형식승인 : М КТС-6-13-09 호", 90.0), ("형식승인 : м КТС-6-13-09 호", 86.0),
                ("형식승인 : М КТС-6-13-09 호", 84.0), ("형식승인 : 제 《70-6-13-09 호", 78.0),
                ("형식승인 : 제 K176-6-13-09 호", 76.0), ("잉식승인 : 지 K10-6-13-09 호", 64.0)]
    index, _ = hangul_consensus(readings)
    assert readings[index][0] == "형식승인 : 제 《70-6-13-09 호"


def test_no_hangul_vote_with_fewer_than_three_readings_of_hangul():
    assert hangul_consensus([("고객상담", 70.0), ("고픽상담", 80.0), ("DAYS", 90.0), ("", 0.0)]) is None


def test_a_hangul_line_takes_the_reading_its_models_agree_on_and_shows_the_hangul_models_readings():
    from fieldkit.ocr.engine import OcrCandidate, OcrResult
    from fieldkit.ocr.ppocr import LineReading
    from fieldkit.ocr.reading import _hangul_vote

    def result(languages, best, others):
        engine = {"languages": languages, "psm": 7, "pipeline": best[0]}
        return OcrResult(best[1], best[2], [], engine,
                         [OcrCandidate(p, 7, t, c, 0.1, None, languages) for p, t, c in others])

    main = result("eng+kor+rus", ("crop_thickened", "고픽상담 전학 : 053)582-6521", 83.0),
                  [("thickened", "1348 전화 : 053)582-6521", 80.0), ("flattened_small", "DAYS 전화 : 053)582-6521", 72.0),
                   ("crop_streaks_closed", "DYYS GA: 053)582-6521", 60.0)])
    extra = result("Hangul", ("raw", "고객상담 전화 : 053)582-6521", 76.0), [("gray", "고객상담 전화 : 053)582-6521", 68.0)])
    pp_read = [LineReading("卫耳：053)582-6521", 0.95, "as cropped")]
    text, confidence, detail, why = _hangul_vote(main, extra, pp_read, main.text, main.confidence, "eng+kor+rus", None)
    assert (text, confidence, detail) == ("고객상담 전화 : 053)582-6521", 76.0, "Hangul, psm 7, pipeline raw")
    assert why.startswith("chosen among tesseract's readings of a Hangul line")
    assert [(c.languages, c.pipeline, c.in_choice) for c in main.candidates[-2:]] == [("Hangul", "raw", False), ("Hangul", "gray", False)]
    # recorded on a synthetic 주체 111-4 (tuning seed 2025): eng+kor+rus read no Hangul, so the kor
    # re-read and the Juche date from both engines decide; the Hangul model's 주체 113 replaces nothing
    juche = result("eng+kor+rus", ("flattened_small", "ut", 54.0), [("crop_thickened", "-주제: 111-4-", 36.5),
                                                                    ("thickened", "주저 131=4", 28.0)])
    model = result("Hangul", ("raw", "주체 113", 38.5), [("gray", "18", 30.0)])
    kept = _hangul_vote(juche, model, [LineReading("圣111-4", 0.8578, "as cropped")], "ut", 54.0, "eng+kor+rus", None)
    assert kept == ("ut", 54.0, "eng+kor+rus", None)
    # a line PP-OCR reads surely as Latin is not Hangul: the reading stays
    latin = result("eng+kor+rus", ("thickened", "BATCH 0417", 90.0), [])
    kept = _hangul_vote(latin, extra, [LineReading("BATCH 0417", 0.99, "as cropped")], "BATCH 0417", 90.0, "x", None)
    assert kept == ("BATCH 0417", 90.0, "x", None)


# Recorded on synthetic Cyrillic stencils (tuning seed 2025): tesseract's Russian model misreads digits.
@pytest.mark.parametrize("tesseract_text,confidence,pp_text,pp_confidence,chosen", [
    ("ЗАВОД 210 33", 90.0, "270 83", 0.9474, "ЗАВОД 270 83"),
    ("ПАРТИЯ 32-87", 89.5, "12-87", 0.9244, "ПАРТИЯ 12-87"),
    ("ПАРТИЯ 2.2-87", 81.5, "UPS 12-87", 0.8095, "ПАРТИЯ 12-87"),
    ("ЗАВОД 27083", 83.0, "3ABO 270 83", 0.915, "ЗАВОД 270 83"),
])
def test_in_a_cyrillic_line_ppocrs_sure_numbers_replace_tesseracts(tesseract_text, confidence, pp_text, pp_confidence, chosen):
    choice = choose([tess(tesseract_text, confidence, "rus, psm 7"), pp(pp_text, pp_confidence)])
    assert choice.text == chosen and choice.engine == "tesseract"
    assert "numbers as PP-OCR" in choice.basis and "line is Cyrillic" in choice.basis
    # a reading that took PP-OCR's numbers is no second opinion on them: no agreement is claimed
    assert "agrees with" not in choice.basis


def test_a_number_run_of_ppocrs_with_a_word_more_replaces_nothing():
    # recorded: PP-OCR read З as 3 and left the rest of ЗАВОД out
    choice = choose([tess("ЗАВОД 270 83", 96.0, "rus, psm 7"), pp("3 270 83", 0.9347)])
    assert choice.text == "ЗАВОД 270 83" and "numbers as PP-OCR" not in choice.basis


# Recorded on synthetic ОФ-462 stencils (tuning seed 2025): PP-OCR writes Ф as the Greek Φ, and О as 0.
@pytest.mark.parametrize("tesseract_text,confidence,pp_confidence", [("Om -462", 65.0, 0.9948), ("0-462", 61.0, 0.9971)])
def test_ppocrs_greek_phi_in_a_word_is_the_cyrillic_ef(tesseract_text, confidence, pp_confidence):
    choice = choose([tess(tesseract_text, confidence), pp("0Φ-462", pp_confidence)])
    assert choice.text == "0Ф-462" and "writes Ф as the Greek Φ" in choice.basis
    assert correct(choice.text)[0] == "ОФ-462"  # the 0 among letters is then the letter О


@pytest.mark.parametrize("pp_text", ["Φ10", "3Φ 4W", "Φ 25"])
def test_a_phi_beside_a_number_or_alone_stays_greek(pp_text):
    # a diameter or phase sign on a nameplate
    assert choose([tess("", 0.0), pp(pp_text, 0.99)]).text == pp_text


def test_ppocrs_phi_line_never_beats_tesseracts_letters_that_ppocr_cannot_write():
    # recorded (tests/test_cli_ocr.py's ОФ-462 ЖК): PP-OCR has no Ж, so it wrote KK; tesseract read the line right
    choice = choose([tess("ОФ-462 ЖК", 90.0, "rus, psm 7"), pp("0Φ-462 KK", 0.9948)])
    assert correct(choice.text)[0] == "ОФ-462 ЖК"  # the 0 among letters is the letter О


@pytest.mark.parametrize("readings, year", [
    # recorded on synthetic 주체 lines of the tuning seeds (make_set(320, 2025) and (320, 2024)):
    # eng+kor+rus read no Hangul, kor alone read two syllables like 주체 but no year, PP-OCR read
    # CJK stand-ins and the year
    ([tess("ut", 54.0), pp("圣111-4", 0.8578), tess("-주제: 111-4-", 36.5, "kor alone")], "주체111-4"),
    ([tess("FAS", 48.0), pp("圣113", 0.9322), tess("-주세니고", 33.8, "kor alone")], "주체113"),
    ([tess("расе", 39.0), pp("平111-4", 0.9193), tess("-주책", 35.67, "kor alone")], "주체111-4"),
])
def test_a_juche_date_is_made_of_tesseracts_juche_and_ppocrs_year_when_the_tables_read_it(readings, year):
    choice = choose(readings)
    assert choice.text == year and choice.engine == "tesseract"
    assert "dprk-juche-hangul-prefix" in choice.basis and "주체 and the year from both engines" in choice.basis


@pytest.mark.parametrize("readings", [
    [tess("제조 2023", 60.0), pp("制造2023", 0.9)],  # 제조 is not like 주체, and 2023 is no Juche year
    [tess("탄약 17", 60.0), pp("弹药17", 0.9)],  # nothing like 주체
    [tess("ut", 54.0), pp("圣礼112(2024)", 0.9), tess("-주제", 36.5, "kor alone")],  # 112 is 2023, not 2024
    [tess("ut", 54.0), pp("圣礼112 LOT 4", 0.9), tess("-주제", 36.5, "kor alone")],  # more than a date
    [tess("ut", 54.0), pp("113", 0.9), tess("-주제", 36.5, "kor alone")],  # no stand-in for 주체
])
def test_no_juche_date_is_made_without_both_halves_or_against_the_christian_year(readings):
    assert not choose(readings).text.startswith("주체")


def test_a_juche_date_with_its_christian_year_is_made_when_the_two_agree():
    choice = choose([tess("ut", 54.0), pp("圣礼112(2023)", 0.9), tess("-주제", 36.5, "kor alone")])
    assert choice.text == "주체112(2023)" and "dprk-juche-hangul-with-gregorian" in choice.basis


def _stub_engines(monkeypatch, tess_text, tess_confidence, pp_text, pp_confidence):
    """reading.read() with both engines replaced by recorded outputs."""
    from fieldkit.ocr import reading
    from fieldkit.ocr.engine import OcrLine, OcrResult, OcrWord
    from fieldkit.ocr.ppocr import LineReading

    def fake_tesseract(image, *, languages, crop=None, **_):
        box = (0, 0, 10, 10)
        lines = [OcrLine(tess_text, tess_confidence, box, [OcrWord(tess_text, tess_confidence, box)])]
        return OcrResult(tess_text, tess_confidence, lines, {"name": "tesseract", "languages": languages, "psm": 7,
                                                              "pipeline": "flattened_small", "choice": None}, [])

    monkeypatch.setattr(reading, "ocr_image", fake_tesseract)
    monkeypatch.setattr(reading.ppocr, "unavailable_reason", lambda: None)
    monkeypatch.setattr(reading.ppocr, "read_line", lambda image: [LineReading(pp_text, pp_confidence, "as cropped")])


@pytest.mark.parametrize("pp_confidence", [0.9985, 0.9561])
def test_a_letter_among_digits_in_ppocrs_reading_stays_a_letter(monkeypatch, pp_confidence):
    from PIL import Image

    from fieldkit.ocr.reading import read

    # recorded on the stamped part number 021.png (tuning split): tesseract '59459508' at 65, and
    # PP-OCR 059145950B at 0.9985 on the crop as labelled, at 0.9561 on it padded or turned 3°;
    # the digit rule (correction rule 3) is for tesseract's letters among digits, not PP-OCR's
    _stub_engines(monkeypatch, "59459508", 65.0, "059145950B", pp_confidence)
    reading = read(Image.new("RGB", (300, 60), "white"), crop=(0, 0, 300, 60))
    assert reading.result.engine["name"] == "ppocr" and reading.result.text == "059145950B"
    assert reading.corrected == "059145950B"
    assert not any("digit-confusion" in c.basis for c in reading.corrections)


def test_the_digit_rule_still_corrects_tesseracts_letters_among_digits(monkeypatch):
    from PIL import Image

    from fieldkit.ocr.reading import read

    # tesseract alone (PP-OCR read nothing): its O among digits is a 0
    _stub_engines(monkeypatch, "12-87-27O", 80.0, "", 0.0)
    reading = read(Image.new("RGB", (300, 60), "white"), crop=(0, 0, 300, 60))
    assert reading.result.engine["name"] == "tesseract" and reading.corrected == "12-87-270"


def test_marks_tesseract_read_at_the_line_ends_do_not_hide_that_the_shapes_agree():
    # synthetic tuning seed 2024, line 81: tesseract read the stencil's Б with a tick before the line
    # and a dot after it; PP-OCR, which has no Cyrillic, read the Б as 5. Letter for letter the two
    # agree once the edge marks are set aside, so the line is Cyrillic and keeps tesseract's Б
    readings = [tess("`БК-6М 1-19.", 68.0, "rus, psm 7, pipeline thickened"), pp("5K-6M 1-19", 0.9801)]
    script, why = line_script(readings)
    assert script == "cyrillic" and "Б as 5" in why
    choice = choose(readings)
    assert correct(choice.text)[0] == "БК-6М 1-19"


def test_a_sure_ppocr_reading_with_a_letter_no_cyrillic_letter_looks_like_keeps_the_line_latin():
    # a real label (Radio-86RK) on a crop turned 3°: tesseract read Я, Д, З and Ю into it; PP-OCR
    # read it at 0.99 with a d, which it never writes for a Cyrillic letter
    readings = [tess("Яадю-з6ЯК", 64.0, "eng+kor+rus, psm 7, pipeline crop_streaks_closed"), pp("Radio-86RK", 0.9902, "turned 270°")]
    script, why = line_script(readings)
    assert script == "latin" and "(d)" in why
    choice = choose(readings)
    assert choice.text == "Radio-86RK" and choice.engine == "ppocr"
    assert "over tesseract's 'Яадю-з6ЯК'" in choice.basis


def test_a_tesseract_fragment_beside_a_sure_whole_ppocr_reading_does_not_make_the_line_cyrillic():
    # the real stamped part number 059145950B (tuning crop padded by 40%): PP-OCR read it exactly at
    # 0.999 on the line its detector found; tesseract's Cyrillic re-read found three letters of the
    # metal's texture, which made the line Cyrillic and threw PP-OCR's reading out
    readings = [tess("изв", 32.0, "rus, psm 7, pipeline thickened"), pp("059145950B", 0.9993, "detected line 1 of 1, at -2°, as cropped")]
    assert line_script(readings)[0] == "latin"
    choice = choose(readings)
    assert choice.text == "059145950B" and choice.engine == "ppocr"
    # as many letters as PP-OCR read, or a PP-OCR reading less sure, and tesseract's letters count again
    assert line_script([tess("изв 4ж", 32.0), pp("059145", 0.9993)])[0] == "cyrillic"
    assert line_script([tess("изв", 32.0), pp("059145950B", 0.95)])[0] == "cyrillic"


def test_a_short_tesseract_reading_of_a_part_of_a_sure_ppocr_reading_still_makes_the_line_cyrillic():
    # tesseract read only the end of a Soviet chip line (the ЛА7 of К561ЛА7; the ОФ of ОФ-462), and
    # PP-OCR, which has no Cyrillic, read the whole line surely with the nearest shapes (J for Л, Φ
    # for Ф): the part agrees with PP-OCR's reading there, so it is a reading of the line, not a fragment
    # of the surface, and its letters only Cyrillic has still say the line is Cyrillic
    assert line_script([tess("ЛА7", 80.0), pp("K561JA7", 0.995)])[0] == "cyrillic"
    assert line_script([tess("ОФ", 80.0), pp("OΦ-462", 0.995)])[0] == "cyrillic"
    # letters that match nothing PP-OCR read stay a fragment (the 059145950B crop)
    assert line_script([tess("изв", 80.0), pp("059145950B", 0.9993)])[0] == "latin"


def test_a_latin_only_letter_in_a_less_sure_ppocr_reading_leaves_the_line_cyrillic():
    # synthetic tuning seed 2024, line 117: PP-OCR wrote the О of ОФ-462 as Q, at 0.95
    readings = [tess("-0Ф-462", 67.0, "rus, psm 7, pipeline crop_thickened"), pp("QΦ-462", 0.9527)]
    assert line_script(readings)[0] == "cyrillic"
    assert correct(choose(readings).text)[0] == "ОФ-462"


def test_each_line_of_a_whole_photo_is_corrected_as_its_engine_needs(monkeypatch):
    from PIL import Image

    from fieldkit.ocr import reading
    from fieldkit.ocr.ppocr import LineReading

    strip = Image.new("RGB", (200, 30), "white")
    found = [(LineReading("059145950B", 0.96, "as cropped", (10, 10, 200, 30)), strip),  # PP-OCR, sure of its B
             (LineReading("L0T 12-87-2?0", 0.5, "as cropped", (10, 60, 200, 30)), strip)]  # unsure: tesseract reads it too
    monkeypatch.setattr(reading.ppocr, "unavailable_reason", lambda: None)
    monkeypatch.setattr(reading.ppocr, "read_photo", lambda image, limit, cancel=None: (found, 2))
    monkeypatch.setattr(reading, "read_strips", lambda images, languages, cancel=None: [("LOT 12-87-27O", 90.0)] * len(images))
    result = reading.read(Image.new("RGB", (800, 600), "white"))
    assert result.result.text == "059145950B\nLOT 12-87-27O"
    # the B of PP-OCR's reading stays a letter; tesseract's O among digits is a 0
    assert result.corrected == "059145950B\nLOT 12-87-270"
    (fix,) = result.corrections
    assert result.result.text[fix.start:fix.end] == "O" and fix.after == "0" and fix.basis.startswith("digit-confusion")


# Issue 18, Hangul nameplates read under small perturbations (bench/ocr_perturbed.py, tuning split):
# tesseract read the Hangul as Latin letters or digits where PP-OCR read CJK stand-ins.
def test_letters_or_digits_where_ppocr_read_hangul_are_counted():
    from fieldkit.ocr.choice import foreign_excess

    assert foreign_excess("DAYS 전화 : 053)582-6521", "卫耳：053)582-6521") == 4
    assert foreign_excess("고객상담 전화 : .053)582-6521", "卫耳：053)582-6521") == 0
    # a digit read as a letter is a misreading, not a syllable read as Latin
    assert foreign_excess("모덤명 : 6061521 (목수형)", "空警鄂：SCE1521（号仝郊）") == 0
    assert foreign_excess("99$: Sceis2t (449)", "空警鄂：SCE1521（号仝郊）") > 0
    # and Hangul where PP-OCR read letters and digits (Hz as 아12)
    assert foreign_excess("제조국 : 6아12", "列丕号：60Hz") == 1
    assert foreign_excess("제조국 : GOHz", "列丕号：60Hz") == 0


def test_letters_and_digits_after_the_end_of_ppocrs_reading_are_not_counted():
    # PP-OCR, sure of what it read, can leave a line's end out: the rest of tesseract's reading is
    # then no Hangul read as Latin, and a complete reading must not give way to a truncated one
    from fieldkit.ocr.choice import foreign_excess

    assert foreign_excess("주체 112 (2023)", "主体112") == 0
    assert foreign_excess("정격 220V 60Hz 5.0kg", "定格220V 60Hz") == 0
    # ...while what it read nothing at before its reading still counts (DAYS for 고객상담)
    assert foreign_excess("DAYS 전화 : 053)582-6521 ", "卫耳：053)582-6521") == 4
    assert choose([tess("주체 112 (2023)", 85.0), tess("주체 112", 80.0, "kor alone, psm 7"),
                   pp("主体112", 0.95)]).text == "주체 112 (2023)"
    assert choose([tess("정격 220V 60Hz 5.0kg", 80.0), tess("정격 220V", 75.0, "kor alone, psm 7"),
                   pp("定格220V 60Hz", 0.95)]).text == "정격 220V 60Hz 5.0kg"


def test_the_hangul_vote_sets_aside_readings_with_latin_where_ppocr_read_hangul():
    # recorded on 036.jpg padded by 15% of its height: eng+kor+rus read DAYS for 고객상담
    readings = [("DAYS 전화 : 053)582-6521", 72.75), ("DAVE $4: 053)582-6521", 64.67), ("ца 전학 : 053)582-6521", 64.0),
                ("고객상담 전화 : .053)582-6521", 70.12), ("고객상담 전화 : 053)582-6521", 69.94)]
    index, why = hangul_consensus(readings, "卫耳：053)582-6521")
    assert readings[index][0] == "고객상담 전화 : .053)582-6521"
    assert "set aside (2)" in why  # DAYS and DAVE; ца, with Cyrillic, was never a winner
    # without PP-OCR's reading, the surer DAYS ties with it and wins
    assert readings[hangul_consensus(readings)[0]][0] == "DAYS 전화 : 053)582-6521"


def test_a_reading_with_cyrillic_letters_votes_with_its_hangul_but_is_not_chosen():
    # recorded on 033.jpg: kor read 숭 for 승 on two images, eng+kor+rus read 승 but 제 as М
    readings = [("형식승인 : м КТС-6-13-09 호", 85.8), ("형식승인 : М КТС-6-13-09 호", 83.9),
                ("형식승인 : 제 《70-6-13-09 호", 77.7), ("형식숭인 : 제 (106-6-13-09 호", 79.6),
                ("형식숭인 : 제 (106-6-13-09 호", 74.15)]
    index, _ = hangul_consensus(readings, "：KTC-G-13-09")
    assert readings[index][0] == "형식승인 : 제 《70-6-13-09 호"


def test_in_a_hangul_line_a_reading_with_latin_where_ppocr_read_hangul_gives_way():
    # recorded on 034.jpg turned +3°: eng+kor+rus read no Hangul, kor alone read 모덤명 ... 목수형
    choice = choose([tess("99$: Sceis2t (449)", 58.0), pp("空警鄂：SCE1521（号仝郊）", 0.8372),
                     tess("모덤명 : 6061521 (목수형)", 56.75, "kor alone, psm 7")])
    assert choice.text == "모덤명 : SCE1521 (목수형)"
    latin = next(r for r in choice.readings if r.text == "99$: Sceis2t (449)")
    assert any("where PP-OCR (0.84) read Hangul" in n for n in latin.notes)


def test_a_lone_jamo_among_digits_is_a_misread_digit_not_hangul():
    from fieldkit.ocr.choice import with_pp_runs

    # recorded on 034.jpg tightened by 5%: kor read 506ㄷ1521 for SCE1521
    assert with_pp_runs("모델명 : 506ㄷ1521 (특수형)", "只警：SCE1521（粤仝8）", "hangul")[0] == "모델명 : SCE1521 (특수형)"


@pytest.mark.parametrize("tesseract_text,confidence,pp_text,pp_confidence,chosen", [
    # synthetic nameplates (tests/ocr_images.make_nameplates, tuning seed 11): PP-OCR read the value
    # surely and left the label out (its text fills under half the crop: partial); tesseract read
    # the label and the value
    ("제조국 60Hz", 68.0, "60Hz", 0.9727, "제조국 60Hz"),
    ("“계기정수 BB-3216", 79.4, "BB-3216", 0.9964, "계기정수 BB-3216"),
])
def test_hangul_label_words_before_what_ppocr_read_make_the_line_hangul(tesseract_text, confidence, pp_text,
                                                                         pp_confidence, chosen):
    choice = choose([tess(tesseract_text, confidence), pp(pp_text, pp_confidence, partial=True)])
    assert correct(choice.text)[0] == chosen
    assert "before exactly what PP-OCR read" in choice.basis


def test_hangul_invented_before_a_whole_line_ppocr_read_surely_is_not_a_label():
    # PP-OCR read the whole line (not partial): two syllables tesseract made of the edge of the crop,
    # at its middling confidence, are no label, and the line stays Latin without them
    choice = choose([tess("이이 CYP 606541", 62.0), pp("CYP 606541", 0.97)])
    assert line_script(choice.readings)[0] == "latin"
    assert choice.text == "CYP 606541" and choice.engine == "ppocr"


@pytest.mark.parametrize("tesseract_text,confidence,pp_text,pp_confidence", [
    ("제조국 60Hz", 55.0, "60Hz", 0.9727),  # too unsure of its Hangul
    ("형식 5아12", 90.1, "50Hz", 0.9778),  # no Hangul word before PP-OCR's very reading
    ("계기정수 66=3216-", 79.4, "BB-3216", 0.9964),  # a value only like PP-OCR's (lost: synthetic seed 11)
    ("고 BATCH 0417", 80.0, "BATCH 0417", 0.99),  # one syllable is no label
    ("ATMEGA328P", 84.0, "ATMEGA328P", 0.9999),
])
def test_a_latin_reading_stays_latin_without_a_hangul_label_beside_it(tesseract_text, confidence, pp_text, pp_confidence):
    choice = choose([tess(tesseract_text, confidence), pp(pp_text, pp_confidence)])
    assert choice.engine == "ppocr" and choice.text == pp_text


@pytest.mark.parametrize("text,upside_down", [
    # recorded on real photos: PP-OCR's readings of upright Hangul label lines turned 180° ...
    ("号", False), ("停停", False), ("IO", False), ("YY", False), ("0 1", False), ("别停疼養品品肛石停", False),
    # ... and of lines that are upside down (a headstamp's AUTO and FEDERAL)
    ("AUTO", True), ("FEDERAL", True), ("FEDERAT", True),
])
def test_only_letters_and_digits_ppocr_reads_turned_show_a_line_upside_down(text, upside_down):
    from fieldkit.ocr.choice import shows_upside_down

    assert shows_upside_down(text, 0.80) is upside_down


@pytest.mark.parametrize("text,confidence,upside_down", [
    # a short upside-down line (a headstamp's LC or year 51) PP-OCR reads turned with near certainty
    ("LC", 0.995, True), ("51", 0.99, True),
    # the recorded stand-ins of upright Hangul lines were far less sure
    ("IO", 0.60, False), ("YY", 0.59, False), ("号", 0.995, False),
])
def test_a_short_line_ppocr_reads_turned_with_near_certainty_is_upside_down(text, confidence, upside_down):
    from fieldkit.ocr.choice import shows_upside_down

    assert shows_upside_down(text, confidence) is upside_down


def test_fullwidth_punctuation_in_ppocrs_turned_reading_is_no_cjk_stand_in():
    from fieldkit.ocr.choice import shows_upside_down

    # PP-OCR writes ':' and ')' full width (recorded: 卫耳：053), 粤8）); in a Latin line they stand in for no syllable
    assert shows_upside_down("LOT：2310", 0.90)
    assert not shows_upside_down("停：23", 0.99)


@pytest.mark.parametrize("text,confidence", [
    # recorded: real Korean label lines (bench/ocr_real_extra.json x06, x13) turned upside down; PP-OCR
    # read them turned, the Hangul as stand-ins and the number right, and tesseract read them as
    # cropped, upside down (흑1090-00-1083 6 :흐82 for 신고번호: 제 FB21-02-0531호)
    ("卫出立：刊FB21-02-0531立", 0.89), ("人舎135，1201(02-2252-1001)", 0.951),
])
def test_an_upside_down_korean_label_with_a_number_is_read_turned(text, confidence):
    from fieldkit.ocr.choice import shows_upside_down

    assert shows_upside_down(text, confidence)


@pytest.mark.parametrize("pp_text,pp_confidence,turned", [
    ("号", 0.8026, False),  # 주요물질: 정제수, 2-프로판올 as cropped: tesseract read it upside down before
    ("AUTO", 0.9981, True),  # an upside-down headstamp word stays turned for tesseract
    # and so does a short one PP-OCR is near certain of: a headstamp's year 86 read as cropped, upside
    # down, reads 98 (digits alone: tesseract is asked even at this confidence)
    ("86", 0.995, True),
])
def test_tesseract_reads_a_wide_crop_turned_only_when_ppocr_shows_it_upside_down(monkeypatch, pp_text, pp_confidence, turned):
    from PIL import Image

    from fieldkit.ocr import reading
    from fieldkit.ocr.engine import OcrResult
    from fieldkit.ocr.ppocr import LineReading

    crops = []

    def fake_tesseract(image, *, languages, crop=None, **_):
        crops.append(crop)
        return OcrResult("", 0.0, [], {"name": "tesseract", "languages": languages, "psm": 7,
                                       "pipeline": "flattened_small", "choice": None}, [])

    monkeypatch.setattr(reading, "ocr_image", fake_tesseract)
    monkeypatch.setattr(reading, "hangul_script_installed", lambda: False)
    monkeypatch.setattr(reading.ppocr, "unavailable_reason", lambda: None)
    monkeypatch.setattr(reading.ppocr, "read_line", lambda image: [LineReading(pp_text, pp_confidence, "turned 180°")])
    reading.read(Image.new("RGB", (600, 50), "white"), crop=(0, 0, 600, 50))
    assert crops, "tesseract was not asked"
    # a turned crop is read as an image of its own (no crop box); an upright one with the line's box
    # (the quick reading started beside PP-OCR has the box either way)
    assert (None in crops) is turned


def test_a_bar_ppocr_read_at_the_edge_of_a_run_is_the_crops_border_not_text():
    from fieldkit.ocr.choice import with_pp_runs

    # synthetic nameplate (seed 11, tuning): PP-OCR read the crop's left border as '|' before 440V
    assert with_pp_runs("계기정수 440\\", "|440V", "hangul")[0] == "계기정수 440V"
    # a bar tesseract read at that edge too is kept
    assert with_pp_runs("계기정수 |44O", "|440", "hangul")[0] == "계기정수 |440"


def test_a_bar_ppocr_read_where_tesseract_read_a_character_is_not_dropped():
    from fieldkit.ocr.choice import with_pp_runs

    # tesseract read 1440V whole; PP-OCR's bar stands where tesseract read the 1, so it is no border,
    # and taking it away would read 440V, a digit short
    assert with_pp_runs("계기정수 1440V", "|440V", "hangul") is None
    assert with_pp_runs("계기정수 l44OV", "|440V", "hangul")[0] == "계기정수 l440V"
    assert with_pp_runs("형식 25-I", "25-|", "hangul") is None
