"""Import an XLSForm (the ODK / KoboToolbox spreadsheet standard) as a native `FormSchema`.

`importer.py` reads the workbook row by row and maps it; `types.py` maps XLSForm question types
through pyxform's own type table; `defaults.py` fills in what a workbook made for ODK Central or
Kobo leaves out (version, roles, Khmer). docs/xlsform.md is the reference.
"""

from app.forms.xlsform.importer import (
    ImportedForm,
    ImportIssue,
    XLSFormError,
    import_xlsform,
    read_xlsform,
)

__all__ = ["ImportIssue", "ImportedForm", "XLSFormError", "import_xlsform", "read_xlsform"]
