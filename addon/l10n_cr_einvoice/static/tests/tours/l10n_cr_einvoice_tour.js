import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// What an accountant does on a normal day: a new customer, an invoice for them, confirm it,
// send it to Hacienda (the simulator in the tests), see it accepted, get the XML and the PDF.
let moveId = null;

function recordIdFromUrl() {
    // /odoo/action-…/<move id>/action-…/<document id>: the record shown is the last one.
    const ids = window.location.pathname.split("/").filter((part) => /^\d+$/.test(part));
    if (!ids.length) {
        throw new Error(`no record id in ${window.location.pathname}`);
    }
    return parseInt(ids[ids.length - 1]);
}

registry.category("web_tour.tours").add("l10n_cr_einvoice_tour", {
    url: "/odoo/action-account.res_partner_action_customer",
    steps: () => [
        {
            content: "New customer",
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new, .o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Customer name",
            trigger: ".o_field_widget[name='name'] input, .o_field_widget[name='name'] textarea",
            run: "edit Distribuidora Tica S.A.",
        },
        {
            content: "Cédula jurídica",
            trigger: ".o_field_widget[name='vat'] input",
            run: "edit 3101555666",
        },
        {
            content: "E-mail",
            trigger: ".o_field_widget[name='email'] input",
            run: "edit compras@tica.cr",
        },
        ...stepUtils.saveForm(),
        {
            content: "Open the e-invoicing tab",
            trigger: "a.nav-link:contains(Costa Rica e-invoicing)",
            run: "click",
        },
        {
            content: "The identification type was recognised from the number",
            trigger: ".o_field_widget[name='l10n_cr_id_type_id'] input",
            run() {
                if (!this.anchor.value.startsWith("02")) {
                    throw new Error(`expected the cédula jurídica type (02), got "${this.anchor.value}"`);
                }
            },
        },
        {
            content: "Go to a new customer invoice",
            trigger: ".o_form_saved, .o_form_readonly",
            run() {
                window.location.href = "/odoo/action-account.action_move_out_invoice/new";
            },
            expectUnloadPage: true,
        },
        {
            content: "Choose the customer",
            trigger: ".o_field_widget[name='partner_id'] input",
            run: "edit Distribuidora Tica",
        },
        {
            content: "Pick it",
            trigger: ".ui-menu-item a:contains(Distribuidora Tica)",
            run: "click",
        },
        {
            content: "Add a line",
            trigger: "div[name='invoice_line_ids'] .o_field_x2many_list_row_add a:contains(Add a line)",
            run: "click",
        },
        {
            content: "Product",
            trigger: "div[name='invoice_line_ids'] .o_selected_row [name='product_id'] input",
            run: "edit Consultoría tributaria",
        },
        {
            content: "Pick the product",
            trigger: ".ui-menu-item-wrapper:contains(Consultoría tributaria), .ui-menu-item a:contains(Consultoría tributaria)",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "Confirm the invoice",
            trigger: ".o_form_statusbar button[name='action_post']:contains(Confirm)",
            run: "click",
        },
        {
            content: "The invoice is posted and its document waits to be sent",
            trigger: ".o_form_statusbar button[name='action_l10n_cr_send_now']",
            run() {
                moveId = recordIdFromUrl();
            },
        },
        {
            content: "Send it to Hacienda now",
            trigger: ".o_form_statusbar button[name='action_l10n_cr_send_now']",
            run: "click",
        },
        {
            content: "Hacienda accepted it",
            trigger: ".oe_stat_button .o_stat_value:contains(Accepted)",
        },
        {
            content: "Open the Hacienda tab",
            trigger: "a.nav-link:contains(Hacienda)",
            run: "click",
        },
        {
            content: "The accepted document is listed",
            trigger: "div[name='l10n_cr_document_ids'] .o_data_row:contains(Accepted)",
        },
        {
            content: "Open its electronic document (the only one: its form)",
            trigger: ".oe_stat_button:contains(Hacienda)",
            run: "click",
        },
        {
            content: "The signed XML is there to download",
            trigger: ".o_view_controller.o_form_view:has(.o_field_widget[name='consecutivo']) .o_field_widget[name='xml_file']:contains(.xml)",
            async run() {
                const [doc] = await rpc("/web/dataset/call_kw/l10n_cr.einvoice.document/search_read", {
                    model: "l10n_cr.einvoice.document",
                    method: "search_read",
                    args: [[["move_id", "=", moveId]], ["id", "name"]],
                    kwargs: {},
                });
                const shown = document.querySelector(".o_view_controller.o_form_view .o_field_widget[name='name']").textContent;
                if (!doc || !shown.includes(doc.name)) {
                    throw new Error(`the form shows "${shown}", not the invoice's document`);
                }
                const docId = doc.id;
                const url = `/web/content?model=l10n_cr.einvoice.document&id=${docId}&field=xml_file&filename_field=xml_filename&download=true`;
                const response = await fetch(url);
                const xml = await response.text();
                if (!response.ok || !xml.includes("<FacturaElectronica") || !xml.includes("ds:Signature")) {
                    throw new Error(`the XML download failed (${response.status}): ${xml.slice(0, 200)}`);
                }
                const answer = await fetch(
                    `/web/content?model=l10n_cr.einvoice.document&id=${docId}&field=response_file&download=true`
                );
                if (!answer.ok || !(await answer.text()).includes("MensajeHacienda")) {
                    throw new Error(`Hacienda's answer could not be downloaded (${answer.status})`);
                }
                const clave = xml.match(/<Clave>(\d{50})<\/Clave>/)[1];
                // The route the web client's Print button downloads through.
                const data = JSON.stringify([`/report/pdf/account.report_invoice/${moveId}`, "qweb-pdf"]);
                const pdf = await fetch(`/report/download?data=${encodeURIComponent(data)}`);
                const body = await pdf.text();
                // A PDF in production; under the test runner Odoo renders the report as HTML.
                if (!pdf.ok || !(body.startsWith("%PDF") || body.includes(clave))) {
                    throw new Error(`the PDF download failed (${pdf.status})`);
                }
                if (!(pdf.headers.get("Content-Disposition") || "").includes("attachment")) {
                    throw new Error("the PDF is not offered as a download");
                }
            },
        },
    ],
});
