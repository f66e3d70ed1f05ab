"""The fields that replace those Flask-AppBuilder generates for a model's add, edit and search
forms (app.security.actions.SafeActionsMixin._init_forms; issue 9, "Forms"): one way to type a
date, an e-mail, a phone, a postal code and a town, on every screen."""

from app.views.date_fields import french_date_field
from app.views.validators import city_field, email_field, phone_field, postal_code_field


def model_form_fields(datamodel, columns, labels: dict, search: bool = False) -> dict:
    """Our fields in place of those FAB generates for a model's form (app.security.actions):
    French dates everywhere; checked e-mails and phones; and the postal code and town of an
    address (a form holding both) against La Poste's list. Search forms only get the dates."""
    columns = [c for c in columns if c in datamodel.list_columns and not datamodel.is_relation(c)]
    has_address = {"postal_code", "city"} <= set(columns)
    fields = {}
    for column in columns:
        label = labels.get(column, column)
        required = not datamodel.is_nullable(column)
        if datamodel.is_date(column) or (search and datamodel.is_datetime(column)):
            fields[column] = french_date_field(label, required and not search)
        elif search:
            continue
        elif column in FIELD_FACTORIES and (has_address or column not in ADDRESS_COLUMNS):
            size = datamodel.get_max_length(column)
            fields[column] = FIELD_FACTORIES[column](label, required, size if size > 0 else 254)
    return fields


ADDRESS_COLUMNS = {"postal_code", "city"}
FIELD_FACTORIES = {
    "email": email_field,
    "phone": phone_field,
    "postal_code": postal_code_field,
    "city": city_field,
}
