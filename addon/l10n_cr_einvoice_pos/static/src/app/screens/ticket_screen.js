import { TicketScreen } from "@point_of_sale/app/screens/ticket_screen/ticket_screen";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

const PENDING_STATES = ["to_send", "sent", "error", "not_issued"];

patch(TicketScreen.prototype, {
    l10nCrCanSend(order) {
        return !order.account_move && PENDING_STATES.includes(order.l10n_cr_state);
    },
    /** "Send to Hacienda" for one order: issue it if it could not be, send it, and show the answer. */
    async l10nCrSendNow(order) {
        try {
            await this.pos.data.callRelated(
                "pos.order",
                "l10n_cr_send_from_pos",
                [[order.id]],
                {},
                false
            );
        } catch (error) {
            this.dialog.add(AlertDialog, {
                title: _t("Hacienda could not be reached"),
                body: error.data?.message || _t("Check the connection and try again."),
            });
        }
    },
});
