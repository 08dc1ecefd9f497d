import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { patch } from "@web/core/utils/patch";
import { documentLabel, stateLabel } from "@l10n_cr_einvoice_pos/app/einvoice_labels";

patch(PosOrder.prototype, {
    get l10nCrEinvoiceEnabled() {
        return Boolean(this.config.l10n_cr_enabled);
    },
    /** The identification the cashier captured (kept on the order, so it travels offline too). */
    get l10nCrCapturedId() {
        if (!this.l10n_cr_customer_id_number) {
            return null;
        }
        return {
            idType: this.l10n_cr_customer_id_type,
            number: this.l10n_cr_customer_id_number,
            name: this.l10n_cr_customer_name || "",
            email: this.l10n_cr_customer_email || "",
        };
    },
    setL10nCrCapturedId(captured) {
        this.assertEditable();
        this.l10n_cr_customer_id_type = captured?.idType || false;
        this.l10n_cr_customer_id_number = captured?.number || false;
        this.l10n_cr_customer_name = captured?.name || false;
        this.l10n_cr_customer_email = captured?.email || false;
    },
    get l10nCrDocumentLabel() {
        return documentLabel(this.l10n_cr_document_type);
    },
    get l10nCrStateLabel() {
        return stateLabel(this.l10n_cr_state);
    },
});
