"""The resident's side of the sealed record: the receipt of a tracked letter as a file
(`/<akimat>/letters/<number>/record.json`, only for whoever may open the letter), and the offline
verifier page (`/record/verify`), which a resident saves and opens from disk, away from the server
under suspicion, to check a receipt with the browser's own cryptography.

The verifier page is the one page with inline script and style, so that "Save page" keeps all of it:
its CSP allows them by this request's nonce only (Flask-Talisman's per-view option); every other
page keeps "no inline script or style"."""

import json

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from ... import labels
from ...domain.record import keys, receipts
from ...security import talisman
from ..tenancy import make_tenant_blueprint
from . import tracked

bp = make_tenant_blueprint("record_receipt", __name__)
verifier_bp = Blueprint("record_verifier", __name__)


@bp.app_template_global()
def record_summary(letter) -> receipts.RecordSummary:
    """For templates/public/_record_entry.html, on the receipt and tracking pages."""
    return receipts.summary(letter)


@bp.get("/letters/<number>/record.json")
def receipt_file(number):
    # The tracking page's check: the browser opened this letter with its current code. Anyone
    # else gets 404, as for a number that does not exist: a receipt names the letter's entries.
    letter = tracked.tracked_letter(number)
    if letter is None:
        abort(404)
    body = json.dumps(receipts.receipt_for(letter), ensure_ascii=False, indent=1)
    filename = f"{letter.number}-record.json"
    return (
        body,
        200,
        {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def _strings() -> dict[str, object]:
    """What the page's script says, in the visitor's language (it has no catalogue of its own)."""
    return {
        "no_receipt": _("Choose a receipt file or paste its text first."),
        "not_json": _("This is not a receipt: the text is not valid JSON."),
        "wrong_format": _("This is not a receipt of the virtual reception (unknown format)."),
        "bad_key": _("The verifier key is not valid. Paste it exactly as published."),
        "key_differs": _(
            "The receipt names another key than the one you trust. The check below uses the key you trust."
        ),
        "no_ed25519": _(
            "This browser cannot check Ed25519 signatures. Use a recent Chromium, Firefox or Safari, or the "
            "command `akimat-verify receipt` on a computer you trust."
        ),
        "no_checkpoint": _("The receipt carries no signed checkpoint yet: download it again later."),
        "bad_checkpoint": _("The checkpoint is damaged: it cannot be read."),
        "signature_ok": _("The checkpoint is signed by the key you trust: tree of %(size)s entries."),
        "signature_bad": _(
            "The checkpoint's signature does NOT verify with the key you trust. Do not rely on this receipt."
        ),
        "origin_bad": _("The checkpoint belongs to another log than the receipt names."),
        "entry_verified": _("verified: the content matches and the entry is in the signed record"),
        "entry_pending": _(
            "the content matches; not yet in this checkpoint: download the receipt again in a few minutes"
        ),
        "entry_mismatch": _("does not match: this content is not what was sealed in the record"),
        "entry_proof_bad": _("does not match: the proof does not lead to the signed checkpoint"),
        "entry_flagged": _("the server itself reports: %(problem)s"),
        "problems": {
            receipts.CHANGED_ROW: _("the letter's row no longer matches what was sealed: it was changed afterwards"),
            receipts.MISSING_ROW: _("the row this entry sealed is missing from the database"),
            receipts.UNREADABLE_ROW: _("the row this entry sealed can no longer be read: it was damaged"),
        },
        "all_verified": _(
            "Verified. Every entry of this receipt is in the akimat's record as signed, and its content is "
            "exactly what was recorded. If the akimat ever changed or removed it, a later checkpoint "
            "could not be consistent with this one."
        ),
        "some_failed": _(
            "Not verified. At least one entry does not match the record. Keep this receipt and report it "
            "to the higher akimat or the prosecutor's office."
        ),
        "some_pending": _("The content matches, but some entries are not in the signed record yet."),
        "entry_label": _("Entry %(n)s: %(kind)s"),
        "kinds": {**{str(kind): str(label) for kind, label in labels.EVENT_LABELS.items()}, "file": _("Attached file")},
    }


@verifier_bp.get("/record/verify")
@talisman(content_security_policy_nonce_in=["script-src", "style-src"])
def verify_page():
    return render_template(
        "record/verify.html",
        strings=_strings(),
        trusted_key=keys.verifier().encode(),
    )
