"""Files brought in by users (issue 14): bytes in, rows of plain values out, in constant memory.

The mirror of app.exports: no queries, no Flask. `spreadsheet.open_sheet` reads an xlsx workbook
or a CSV text row by row and refuses a file it cannot read with an `ImportFileError` that says why
in French; `template` and `errors` write the workbooks handed back to the user.
"""
