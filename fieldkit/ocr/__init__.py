"""OCR of markings: image preprocessing and the tesseract engine."""
