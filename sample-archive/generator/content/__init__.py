"""The text of each generated document, as a small block model that ``generator.render`` turns into
PDF, DOCX, XLSX, TXT, Markdown or CSV. A document is a title and a list of blocks: ``("title", s)``,
``("sub", s)``, ``("h", s)``, ``("p", s)``, ``("kv", [(key, value)])``, ``("table", header, rows)``,
``("sign", [left lines], [right lines])`` and, for workbooks, ``("sheet", name)``. ``BUILDERS`` maps
each document type (custtui's ``doc_type`` code) to the function that writes it: trade and
procurement papers live in ``trade``, service and relationship records in ``service``.
"""

from __future__ import annotations

from .service import (
    doc_complaint,
    doc_contacts,
    doc_cooperation,
    doc_email,
    doc_followup,
    doc_intent,
    doc_minutes,
    doc_needs,
    doc_preference,
    doc_satisfaction,
    doc_ticket,
)
from .trade import (
    doc_approval,
    doc_contract,
    doc_credit,
    doc_financial,
    doc_order,
    doc_payment,
    doc_procurement,
    doc_quotation,
    doc_settlement,
    doc_statement,
    doc_supplement,
    doc_termination,
)

BUILDERS = {
    "contract": doc_contract,
    "supplement": doc_supplement,
    "quotation": doc_quotation,
    "statement": doc_statement,
    "financial_statement": doc_financial,
    "complaint": doc_complaint,
    "followup": doc_followup,
    "ticket": doc_ticket,
    "minutes": doc_minutes,
    "project_approval": doc_approval,
    "procurement": doc_procurement,
    "termination": doc_termination,
    "settlement": doc_settlement,
    "payment_voucher": doc_payment,
    "credit_rating": doc_credit,
    "satisfaction": doc_satisfaction,
    "intent": doc_intent,
    "needs_analysis": doc_needs,
    "cooperation_analysis": doc_cooperation,
    "email": doc_email,
    "contact_sheet": doc_contacts,
    "order": doc_order,
    "preference": doc_preference,
}
