import { _t } from "@web/core/l10n/translation";

/** What the till shows of an order's electronic document. */
export function documentLabel(documentType) {
    return (
        {
            "01": _t("Electronic Invoice"),
            "03": _t("Electronic Credit Note"),
            "04": _t("Electronic Ticket"),
        }[documentType] || ""
    );
}

export function stateLabel(state) {
    return (
        {
            to_send: _t("To send"),
            sent: _t("Sent, waiting for Hacienda"),
            accepted: _t("Accepted"),
            rejected: _t("Rejected"),
            error: _t("Error"),
            not_issued: _t("Not issued"),
        }[state] || ""
    );
}

/** A number as Hacienda wants it: no dashes nor spaces, letters in capitals. */
export function normalizeIdentification(number) {
    return (number || "").replace(/[\s-]/g, "").toUpperCase();
}

/** Why `number` is not a valid identification of `idType` ("" when it is), by the rules the server sends. */
export function identificationProblem(config, idType, number) {
    const rule = (config._l10n_cr_id_types || []).find((t) => t.code === idType);
    if (!rule) {
        return _t("Choose the identification type.");
    }
    if (!new RegExp(`^(?:${rule.pattern})$`).test(number)) {
        return _t("Not a valid %(type)s: %(rule)s.", { type: rule.name, rule: rule.rule });
    }
    return "";
}
