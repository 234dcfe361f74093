"""OCR of markings: image preprocessing, the tesseract and PP-OCR engines, and the choice between them.

This module itself stays light (no Pillow, no engine), so the CLI can read its defaults at start-up.
"""

DEFAULT_LANGUAGES = "eng+kor+rus"  # tesseract's languages: English, Korean, Russian
