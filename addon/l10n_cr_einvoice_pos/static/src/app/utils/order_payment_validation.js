import OrderPaymentValidation from "@point_of_sale/app/utils/order_payment_validation";
import { ask } from "@point_of_sale/app/utils/make_awaitable_dialog";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import {
    identificationProblem,
    normalizeIdentification,
} from "@l10n_cr_einvoice_pos/app/einvoice_labels";

patch(OrderPaymentValidation.prototype, {
    /**
     * A customer chosen from the list whose identification Hacienda would refuse cannot receive a
     * Factura: say so before the payment, while the cashier can still correct it.
     */
    async askBeforeValidation() {
        const order = this.order;
        const partner = order.getPartner();
        if (
            order.l10nCrEinvoiceEnabled &&
            !order.l10nCrCapturedId &&
            !order.isToInvoice() &&
            partner?.vat &&
            (this.pos.config._l10n_cr_id_types || []).some((t) => t.code === partner.l10n_cr_id_type_code)
        ) {
            const problem = identificationProblem(
                this.pos.config,
                partner.l10n_cr_id_type_code,
                normalizeIdentification(partner.vat)
            );
            if (problem) {
                const confirmed = await ask(this.pos.dialog, {
                    title: _t("Identification not valid for Hacienda"),
                    body: _t(
                        "%(customer)s: %(problem)s\nThis sale will be documented by an electronic ticket, not an invoice. Continue?",
                        { customer: partner.name, problem }
                    ),
                    confirmLabel: _t("Continue with a ticket"),
                    cancelLabel: _t("Back"),
                });
                if (!confirmed) {
                    return false;
                }
            }
        }
        return super.askBeforeValidation(...arguments);
    },
});
