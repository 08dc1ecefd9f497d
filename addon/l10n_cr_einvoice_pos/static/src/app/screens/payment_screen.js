import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";
import { makeAwaitable } from "@point_of_sale/app/utils/make_awaitable_dialog";
import { patch } from "@web/core/utils/patch";
import { CustomerIdentificationDialog } from "@l10n_cr_einvoice_pos/app/customer_id_dialog/customer_id_dialog";

patch(PaymentScreen.prototype, {
    async onClickL10nCrCustomerId() {
        const order = this.currentOrder;
        const payload = await makeAwaitable(this.dialog, CustomerIdentificationDialog, { order });
        if (!payload) {
            return;
        }
        if (payload.remove) {
            order.setL10nCrCapturedId(null);
            return;
        }
        order.setL10nCrCapturedId(payload);
        if (payload.partner && order.getPartner() !== payload.partner) {
            // Choosing a company as customer ticks "Invoice" in the till; a Factura Electrónica
            // does not need an accounting invoice, so the cashier's choice is kept.
            const toInvoice = order.isToInvoice();
            order.setPartner(payload.partner);
            order.setToInvoice(toInvoice);
        }
    },
});
