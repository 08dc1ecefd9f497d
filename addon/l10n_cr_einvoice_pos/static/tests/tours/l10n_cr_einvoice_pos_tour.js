import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as Numpad from "@point_of_sale/../tests/generic_helpers/numpad_util";
import * as OfflineUtil from "@point_of_sale/../tests/generic_helpers/offline_util";
import * as Order from "@point_of_sale/../tests/generic_helpers/order_widget_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";
import { inLeftSide } from "@point_of_sale/../tests/pos/tours/utils/common";
import { registry } from "@web/core/registry";

// Establishment 001, terminal 00002 (set on the point of sale by the test).
const PREFIX = "00100002";

function receiptShows(label, consecutivo) {
    return [
        {
            content: `the receipt is a ${label}`,
            trigger: `.receipt-screen .o_l10n_cr_receipt_type:contains("${label}")`,
        },
        {
            content: `with the consecutivo ${consecutivo}`,
            trigger: `.receipt-screen .o_l10n_cr_receipt_consecutivo:contains("${consecutivo}")`,
        },
        {
            content: "its 50-digit clave",
            trigger: ".receipt-screen .o_l10n_cr_receipt_clave",
            run() {
                if (!/^\d{50}$/.test(this.anchor.textContent.trim())) {
                    throw new Error(`not a clave: "${this.anchor.textContent}"`);
                }
            },
        },
        {
            content: "and the QR code of the clave",
            trigger: ".receipt-screen img.o_l10n_cr_receipt_qr[src^='data:image/']",
        },
        {
            content: "each QR code says what it is for",
            trigger: ".receipt-screen .o_l10n_cr_receipt_qr_label",
            run() {
                // Odoo's self-invoicing QR code is on (the test turns it on), beside the clave's.
                const portalQr = document.querySelector(".receipt-screen #posqrcode");
                if (!portalQr) {
                    throw new Error("Odoo's invoice-request QR code is not on the receipt");
                }
                if (!portalQr.parentElement.querySelector(".o_l10n_cr_receipt_portal_qr_label")) {
                    throw new Error("Odoo's invoice-request QR code has no label beside the clave's");
                }
            },
        },
    ];
}

function sendAndSeeAccepted(rowIndex) {
    return [
        {
            content: `select order row ${rowIndex}`,
            trigger: `.ticket-screen .order-row:eq(${rowIndex})`,
            run: "click",
        },
        {
            content: "its electronic document is shown",
            trigger: ".ticket-screen .o_l10n_cr_einvoice_status .o_l10n_cr_status_consecutivo",
        },
        {
            content: "send it to Hacienda",
            trigger: ".ticket-screen .o_l10n_cr_send_now",
            run: "click",
        },
        {
            content: "Hacienda (the simulator) accepted it",
            trigger: ".ticket-screen .o_l10n_cr_status_state[data-state='accepted']",
        },
    ];
}

/**
 * A day at the till. `shot(name)` gives the steps that take a screenshot for the guide (none in the
 * test run).
 */
export function tillDay(shot) {
    return [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),

            // 1. An anonymous customer: a Tiquete Electrónico.
            ProductScreen.clickDisplayedProduct("Café molido 250 g"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Efectivo"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShows("Electronic Ticket", `${PREFIX}040000000001`),
            shot("pos-receipt-ticket", ".receipt-screen .o_l10n_cr_einvoice_receipt"),
            ReceiptScreen.clickNextOrder(),

            // 2. The same, while the till is offline: the receipt says the document is pending.
            OfflineUtil.setOfflineMode(),
            ProductScreen.clickDisplayedProduct("Empanada de queso"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Efectivo"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            {
                content: "no clave yet: the order has not reached the server",
                trigger: ".receipt-screen .o_l10n_cr_receipt_pending",
            },
            Dialog.confirm("Continue with limited functionality"),
            shot("pos-receipt-offline", ".receipt-screen .o_l10n_cr_einvoice_receipt"),
            ReceiptScreen.clickNextOrder(),
            OfflineUtil.setOnlineMode(),

            // 3. A customer who gives their identification: a Factura Electrónica.
            ProductScreen.clickDisplayedProduct("Empanada de queso"),
            ProductScreen.clickDisplayedProduct("Empanada de queso"),
            ProductScreen.clickPayButton(),
            {
                content: "capture the customer's identification",
                trigger: ".payment-screen .o_l10n_cr_customer_id_button",
                run: "click",
            },
            {
                content: "cédula jurídica",
                trigger: ".o_l10n_cr_customer_id_dialog select.o_l10n_cr_id_type",
                run: "select 02",
            },
            {
                content: "of a known customer",
                trigger: ".o_l10n_cr_customer_id_dialog input.o_l10n_cr_id_number",
                run: "edit 3-102-654321",
            },
            {
                content: "the customer's name is looked up",
                trigger: ".o_l10n_cr_customer_id_dialog .o_l10n_cr_id_partner:contains('Comercial La Sabana')",
            },
            {
                content: "no: a cédula física",
                trigger: ".o_l10n_cr_customer_id_dialog select.o_l10n_cr_id_type",
                run: "select 01",
            },
            {
                content: "a number that is not one",
                trigger: ".o_l10n_cr_customer_id_dialog input.o_l10n_cr_id_number",
                run: "edit 12345",
            },
            {
                content: "is refused before payment",
                trigger: ".o_l10n_cr_customer_id_dialog .o_l10n_cr_id_problem:contains('9 digits')",
            },
            {
                content: "confirming is not possible",
                trigger: ".o_l10n_cr_customer_id_dialog .o_l10n_cr_id_confirm:disabled",
            },
            shot("pos-customer-id-invalid"),
            {
                content: "the right number",
                trigger: ".o_l10n_cr_customer_id_dialog input.o_l10n_cr_id_number",
                run: "edit 1-0555-0777",
            },
            {
                content: "a new customer: their name",
                trigger: ".o_l10n_cr_customer_id_dialog input.o_l10n_cr_id_name",
                run: "edit María Rodríguez Solís",
            },
            {
                content: "and e-mail",
                trigger: ".o_l10n_cr_customer_id_dialog input.o_l10n_cr_id_email",
                run: "edit maria@correo.cr",
            },
            shot("pos-customer-id-new"),
            {
                content: "confirm",
                trigger: ".o_l10n_cr_customer_id_dialog .o_l10n_cr_id_confirm:enabled",
                run: "click",
            },
            {
                content: "the payment screen shows the captured identification",
                trigger: ".payment-screen .o_l10n_cr_captured_id:contains('105550777')",
            },
            shot("pos-payment-captured-id", ".payment-screen .o_l10n_cr_customer_id_button"),
            PaymentScreen.clickPaymentMethod("Tarjeta"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShows("Electronic Invoice", `${PREFIX}010000000001`),
            shot("pos-receipt-factura", ".receipt-screen .o_l10n_cr_einvoice_receipt"),
            ReceiptScreen.clickNextOrder(),

            // 4. The first customer returns the coffee: a Nota de Crédito referencing the ticket.
            Chrome.clickOrders(),
            TicketScreen.selectFilter("Paid"),
            TicketScreen.selectOrder("3,535.00"),
            {
                content: "the order shows its accepted-or-not ticket",
                trigger: `.ticket-screen .o_l10n_cr_status_consecutivo:contains("${PREFIX}040000000001")`,
            },
            inLeftSide([
                ...Order.hasLine({ productName: "Café molido 250 g", withClass: ".selected" }),
                Numpad.click("1"),
            ]),
            TicketScreen.confirmRefund(),
            PaymentScreen.isShown(),
            PaymentScreen.clickPaymentMethod("Efectivo"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            receiptShows("Electronic Credit Note", `${PREFIX}030000000001`),
            shot("pos-receipt-credit-note", ".receipt-screen .o_l10n_cr_einvoice_receipt"),
            ReceiptScreen.clickNextOrder(),

            // 5. Closing the register warns: Hacienda has not accepted the four documents yet...
            closingSays(4),
            shot("pos-closing-warning", ".close-pos-popup .o_l10n_cr_closing_warning"),
            Dialog.discard(),
            // ...which are sent from the orders list, and accepted.
            Chrome.clickOrders(),
            TicketScreen.selectFilter("Paid"),
            TicketScreen.nbOrdersIs(4),
            sendAndSeeAccepted(0),
            sendAndSeeAccepted(1),
            sendAndSeeAccepted(2),
            sendAndSeeAccepted(3),
            shot("pos-orders-accepted", ".ticket-screen .o_l10n_cr_einvoice_status"),
            closingSays(0),
            Dialog.discard(),
            Chrome.endTour(),
        ].flat();
}

/** The closing dialog's warning about documents Hacienda has not accepted (`count` of them). */
function closingSays(count) {
    const steps = [...Chrome.clickMenuOption("Close Register"), { trigger: ".close-pos-popup .payment-methods-overview" }];
    if (count) {
        steps.push({
            content: `the closing dialog warns about ${count} documents`,
            trigger: `.close-pos-popup .o_l10n_cr_closing_warning:contains("${count} electronic document")`,
        });
    } else {
        steps.push({
            content: "no warning once all are accepted",
            trigger: ".close-pos-popup",
            run() {
                if (document.querySelector(".close-pos-popup .o_l10n_cr_closing_warning")) {
                    throw new Error("the closing dialog still warns about unaccepted documents");
                }
            },
        });
    }
    return steps;
}

registry.category("web_tour.tours").add("l10n_cr_einvoice_pos_tour", {
    steps: () => tillDay(() => []),
});
