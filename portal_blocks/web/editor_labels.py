"""The workspace script's labels: key -> msgid (English) of the gettext catalogs.

The layout page hands them to ``editor/workspace.js`` translated to the page's language, as a
JSON data block (not a script: the Content-Security-Policy allows no inline script).
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    "addBlock": "Add a block",
    "addTo": "Add to region",
    "blockTypes": "Block types",
    "cancel": "Cancel",
    "changesNone": "Readers would see no change.",
    "changesTitle": "What changes for readers",
    "conflictTitle": "Another editor changed this layout",
    "conflictText": (
        "Their change is below. Reload to take it and drop yours, or reapply yours on top of it."
    ),
    "conflictReapply": "Reapply mine on top",
    "conflictReload": "Reload their version",
    "duplicate": "Duplicate",
    "edit": "Settings",
    "history": "History",
    "historyEmpty": "No changes yet.",
    "kindAdded": "Added",
    "kindConfigured": "Settings changed",
    "kindMoved": "Moved",
    "kindRemoved": "Removed",
    "moveDown": "Move down",
    "moveTo": "Move to region",
    "moveUp": "Move up",
    "noSettings": "This block type has no settings.",
    "previewFor": "Preview of",
    "publish": "Publish",
    "publishConfirm": "Publish this version",
    "published": "Published.",
    "regionsAdded": "Regions added",
    "regionsRemoved": "Regions removed",
    "remove": "Remove",
    "revert": "Revert to this revision",
    "revision": "Revision",
    "save": "Save settings",
    "saved": "Saved.",
    "settingsOf": "Settings of",
    "formInvalid": "Correct the fields marked below; nothing was saved.",
    "tooSmall": "At least",
    "tooLarge": "At most",
    "badPattern": "Not in the expected form.",
    "required": "Required.",
    "notInteger": "A whole number.",
    "addItem": "Add",
    "removeItem": "Remove",
    "oneSlugPerLine": "One article slug per line.",
    "empty": "No blocks yet.",
    "error": "Something went wrong; nothing was saved.",
    "signedOut": "Your session ended; sign in again.",
    # The server's refusal codes, as the form shows them (an unknown code: the server's message).
    "code_INVALID_FORMAT": "Not in the expected form.",
    "code_OUT_OF_RANGE": "Out of the allowed range.",
    "code_INVALID_LENGTH": "Too short or too long.",
    "code_INVALID_TYPE": "Not a value of the right kind.",
    "code_INVALID_CHOICE": "Not one of the choices.",
    "code_REQUIRED": "Required.",
    "code_UNKNOWN_ARTICLE": "No article has this slug.",
    "code_UNKNOWN_CATEGORY": "No article is in this category.",
}
