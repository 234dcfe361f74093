"""Soviet/Russian chip type numbers read by the reference pattern (fieldkit.ocr.designation, issue 18),
on engine outputs recorded from real and synthetic chip markings; no timing."""

from types import SimpleNamespace

from fieldkit.ocr.choice import EngineReading, choose
from fieldkit.ocr.designation import designation_reading
from fieldkit.reference.plain import plain_reference


def tess(text, confidence, detail="eng+kor+rus, psm 7"):
    return EngineReading("tesseract", text, confidence, detail)


def pp(text, confidence, detail="as cropped"):
    return EngineReading("ppocr", text, confidence, detail)


def test_ppocr_digits_and_tesseract_letters_make_the_type_number_in_cyrillic():
    # КР580ВМ80А: PP-OCR reads the letters as Latin twins and two 8s as S and B; tesseract reads 8 as В, 0 as О
    choice = choose([tess("КР58ОВМ8ОА", 60.0, "rus, psm 7"), pp("KP5S0BMB0A", 0.8867)])
    assert choice.text == "КР580ВМ80А"
    assert all("\u0400" <= ch <= "\u04ff" for ch in choice.text if ch.isalpha())
    assert "Soviet IC designation pattern" in choice.basis and "OST 11 073.915" in choice.basis
    assert "function code ВМ" in choice.basis
    # every engine's reading is kept beside the type number
    assert {"KP5S0BMB0A", "КР58ОВМ8ОА"} <= {r.text for r in choice.readings}


def test_the_real_vertical_chip_line_is_read_from_ppocr_alone_when_tesseract_reads_noise():
    # 001.jpg (tuning split): PP-OCR turned 270°, tesseract's chosen reading of the line was 'я'
    choice = choose([tess("я", 22.0), pp("KP5S0BMB0A", 0.8867, "turned 270°")])
    assert choice.text == "КР580ВМ80А"
    assert "S as 8, B as 8" in choice.basis
    assert choice.confidence < 50  # an unsure reading stays shown as unsure


def test_a_designation_beats_a_surer_reading_that_matches_nothing_and_keeps_the_date_code():
    choice = choose([tess("КРЗОВИЗОА 7612.", 52.0), pp("KP580BM80A 7612", 0.9868)])
    assert choice.text == "КР580ВМ80А 7612"
    # PP-OCR, which cannot write И, dropped it; tesseract's letters with PP-OCR's agreeing digits win
    choice = choose([tess("КР580ВИ53", 59.0), pp("KP58053", 0.9876)])
    assert choice.text == "КР580ВИ53"


def test_the_function_code_must_be_in_the_standards_list():
    # ME is no function code, ИЕ (counters) is: tesseract's И is kept, PP-OCR's 1 0 for tesseract's 1 О
    assert choose([tess("К555ИЕ1О 8707", 90.0), pp("K555ME10 8707", 0.9554)]).text == "К555ИЕ10 8707"


def test_a_letter_ppocr_cannot_write_is_taken_from_tesseract_when_ppocr_read_its_shape():
    # Г read by PP-OCR as T; ВТ and ВГ are both function codes: the shape decides, not the sureness
    choice = choose([tess("КР1818ВГ9З 9602", 88.5), pp("KP1818BT93 9602", 0.9876)])
    assert choice.text == "КР1818ВГ93 9602"


def test_where_the_engines_disagree_otherwise_the_surer_engines_letter_is_kept():
    choice = choose([tess("КРБ80ВЖ80А", 55.0), pp("KP580BM80A", 0.99)])
    assert choice.text == "КР580ВМ80А"


def test_latin_lines_stay_latin():
    for tess_text, pp_text in [("СУР 606541", "CYP 606541"), ("MAX232CPE", "MAX232CPE"), ("CD4017BE", "CD4017BE"),
                               ("ADXL345 2310", "ADXL345 2310"), ("STM32F405 RGT6", "STM32F405 RGT6"),
                               ("AC19AP26102-25E4", "AC19AP26102-25E4"), ("059145950B", "059145950B"),
                               ("DS90UB954", "DS90UB954"), ("DS15BA101", "DS15BA101"), ("DS90UB913", "DS90UB913")]:
        choice = choose([tess(tess_text, 80.0), pp(pp_text, 0.97)])
        assert choice.text == pp_text, (tess_text, choice.text)
        assert "designation pattern" not in choice.basis


def test_noise_is_never_forced_into_a_type_number():
    # four letters would have to be digits: more than MAX_CONFUSIONS
    assert designation_reading([("ppocr", "KPSSOBMBOA")], plain_reference()) is None
    # a function code is never made of digits (recorded on a real stamp, 023.png: 52432861)
    assert designation_reading([("tesseract", '523288"'), ("ppocr", "52432861")], plain_reference()) is None


def test_without_the_reference_row_there_is_no_type_number_reading():
    no_row = SimpleNamespace(patterns=[], _cache={})
    assert designation_reading([("ppocr", "KP5S0BMB0A")], no_row) is None
    assert designation_reading([("ppocr", "KP5S0BMB0A")], plain_reference()).text == "КР580ВМ80А"


def test_a_latin_part_number_read_by_ppocr_alone_is_not_forced_into_a_type_number():
    # TI's DS90UB954 would be 0590ИВ954 (D as 0, S as 5, U as И): a series number starts with its group digit, 1 to 8
    for text in ("DS90UB954", "DS15BA101", "DS90UB913"):
        assert designation_reading([("tesseract", "я"), ("ppocr", text)], plain_reference()) is None
        assert choose([tess("я", 22.0), pp(text, 0.97)]).text == text


def test_where_both_engines_read_the_word_no_digit_is_made_before_the_function_code():
    # tesseract's О and PP-OCR's O are the same letter: the series 58O is no series, not 580
    assert designation_reading([("tesseract", "КР58ОВМ8ОА"), ("ppocr", "KP58OBM80A")], plain_reference()) is None


def test_a_user_row_without_the_function_codes_group_gives_no_reading_rather_than_an_error():
    from fieldkit.ocr.designation import ROW_ID

    row = SimpleNamespace(id=ROW_ID, regex=r"K?\d{3}\w\w\d+")
    assert designation_reading([("ppocr", "K155TM2")], SimpleNamespace(patterns=[row], _cache={})) is None


def test_a_type_number_made_with_confusions_keeps_its_own_engines_confidence():
    # both engines read the serial's 0 as the letter O (О): the pattern makes it 0, a change neither
    # engine read, so tesseract's sureness is not lent to the result as it is when every place is read
    changed = choose([tess("КР58ОВМ8ОА", 95.0, "rus, psm 7"), pp("KP5S0BMBOA", 0.30)])
    read = choose([tess("КР58ОВМ8ОА", 95.0, "rus, psm 7"), pp("KP5S0BMB0A", 0.30)])
    made = next(r for r in changed.readings if "read as a type number" in r.detail)
    supported = next(r for r in read.readings if "read as a type number" in r.detail)
    assert made.text == supported.text == "КР580ВМ80А"
    assert "O as 0" in " ".join(made.notes) and made.calibrated < supported.calibrated


def test_a_latin_word_both_engines_read_alike_is_left_as_read_even_where_its_letters_fit_the_pattern():
    # PP-OCR's shapes (T for Г, N for Л) would make 1705AT1 1705АГ1: tesseract, which writes Cyrillic, read T
    for text in ("1705AT1", "2001NE5", "H1102NA1", "K155PE3"):
        assert designation_reading([("tesseract", text), ("ppocr", text)], plain_reference()) is None
        assert choose([tess(text, 90.0), pp(text, 0.97)]).text == text


def test_a_latin_lot_or_date_code_is_no_type_number_without_the_commercial_prefix_or_any_cyrillic():
    for text in ("2148AA1", "1824TP1", "C2045TB01", "M1523PE2", "3321KT7"):
        assert designation_reading([("tesseract", "noise"), ("ppocr", text)], plain_reference()) is None
    # with the commercial prefix, or with a Cyrillic letter read anywhere in the line, it may be
    assert designation_reading([("ppocr", "K155PE3")], plain_reference()).text == "К155РЕ3"
