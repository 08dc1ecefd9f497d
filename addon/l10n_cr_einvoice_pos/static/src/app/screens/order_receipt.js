import { OrderReceipt } from "@point_of_sale/app/screens/receipt_screen/receipt/order_receipt";
import { generateQRCodeDataUrl } from "@point_of_sale/utils";
import { patch } from "@web/core/utils/patch";

patch(OrderReceipt.prototype, {
    /** The clave as a QR code, drawn in the browser: a receipt printed offline needs no server. */
    get l10nCrQrCode() {
        const clave = this.order.l10n_cr_clave;
        return clave ? generateQRCodeDataUrl(clave) : "";
    },
});
