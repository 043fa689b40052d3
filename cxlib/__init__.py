"""cxlib: analysis and charts behind the cx-workbook engagement reports."""
