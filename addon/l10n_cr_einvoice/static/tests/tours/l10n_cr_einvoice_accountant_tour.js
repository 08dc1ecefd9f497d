import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// An accountant's day in Spanish (es_CR), in two tours: the administrator's settings (a wrong
// certificate refused when saved), then the billing user's work — a product with its CABYS code,
// an invoice with a discount that turns "Aceptado" on its own (the queue runs beside the browser,
// as its cron does), the printed document, a credit note, an invoice found by its clave.
// Each screenshot step logs a marker; the screenshot test (run on request) captures the page then.
const MARKER = "l10n_cr_screenshot:";
const CUSTOMER = "Comercial La Sabana Ltda.";
const PRODUCT = "Asesoría tributaria mensual";

function shot(name) {
    return {
        content: `screenshot ${name}`,
        trigger: "body",
        async run() {
            await new Promise((resolve) => setTimeout(resolve, 400)); // animations settle
            console.log(`${MARKER}${name}`);
            await new Promise((resolve) => setTimeout(resolve, 1200)); // the capture happens
        },
    };
}

function recordIdFromUrl() {
    const ids = window.location.pathname.split("/").filter((part) => /^\d+$/.test(part));
    return parseInt(ids[ids.length - 1]);
}

async function callKw(model, method, args, kwargs = {}) {
    return rpc(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs });
}

/** Confirm the draft shown, then see the queue's answer arrive without the page reloading. */
function confirmAndSeeAccepted(name) {
    return [
        {
            content: "Confirm",
            trigger: ".o_form_statusbar button[name='action_post']",
            run: "click",
        },
        {
            content: "posted: its document waits to be sent",
            trigger: ".oe_stat_button .o_stat_value:contains(Por enviar), .oe_stat_button .o_stat_value:contains(Enviado)",
            run() {
                // Gone if the page reloads: the answer must come to this very page.
                window.l10nCrSamePage = true;
            },
        },
        shot(`${name}-to-send`),
        {
            content: "Hacienda's answer arrives by itself (the bus), without reloading",
            trigger: ".oe_stat_button .o_stat_value:contains(Aceptado)",
            timeout: 30000,
            run() {
                if (!window.l10nCrSamePage) {
                    throw new Error("the page was reloaded");
                }
                if (document.querySelector(".o_form_view .alert-info")) {
                    throw new Error("the 'on its way to Hacienda' banner is still shown");
                }
            },
        },
        shot(`${name}-accepted`),
    ];
}

registry.category("web_tour.tours").add("l10n_cr_einvoice_accountant_settings", {
    steps: () => [
        {
            content: "the e-invoicing settings",
            trigger: "#l10n_cr_enabled",
            run() {
                this.anchor.scrollIntoView({ block: "start" });
            },
        },
        {
            content: "each setting explains itself, in a field wide enough for its value",
            trigger: "label[for^='l10n_cr_username'] sup",
            run() {
                const settings = document.querySelectorAll(".o_l10n_cr_einvoice_setting");
                const labels = [...document.querySelectorAll(".o_l10n_cr_einvoice_setting label.o_l10n_cr_help")];
                if (settings.length < 3 || labels.length < 10) {
                    throw new Error(`${settings.length} e-invoicing settings, ${labels.length} labels`);
                }
                const silent = labels.filter((label) => !label.querySelector("sup[data-tooltip-info]"));
                if (silent.length) {
                    throw new Error(`no help on ${silent.map((label) => label.textContent).join(", ")}`);
                }
                const inputs = document.querySelectorAll(
                    ".o_l10n_cr_einvoice_setting .o_field_widget input:not([type='checkbox'])");
                const cut = [...inputs].filter((input) => input.value && input.offsetParent
                    && input.scrollWidth > input.clientWidth + 1);
                if (cut.length) {
                    throw new Error(`cut: ${cut.map((input) => input.value).join(", ")}`);
                }
            },
        },
        shot("accountant-settings"),
        {
            content: "the commercial name",
            trigger: ".o_field_widget[name='l10n_cr_commercial_name'] input",
            run: "edit Consultores del Este",
        },
        {
            content: "save the settings (the page reloads)",
            trigger: ".o_control_panel button[name='execute'], .o_form_button_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "saved",
            trigger: ".o_field_widget[name='l10n_cr_commercial_name'] input",
            async run() {
                for (let attempt = 0; attempt < 50; attempt++) {
                    const [company] = await callKw("res.company", "search_read",
                        [[["name", "=", "Empresa Demo S.A."]], ["l10n_cr_commercial_name"]]);
                    if (company.l10n_cr_commercial_name === "Consultores del Este") {
                        return;
                    }
                    await new Promise((resolve) => setTimeout(resolve, 200));
                }
                throw new Error("the settings were not saved");
            },
        },
        {
            content: "a new signing certificate",
            trigger: ".o_field_widget[name='l10n_cr_certificate_id'] input",
            run: "edit Llave 2027",
        },
        {
            content: "create it",
            trigger: ".o_m2o_dropdown_option_create_edit a, .o_m2o_dropdown_option_create_edit",
            run: "click",
        },
        {
            content: "a file that is not a .p12",
            trigger: ".modal .o_field_widget[name='content'] input[type='file']:not(:visible)",
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(new File(["no es una llave"], "llave.p12", { type: "application/x-pkcs12" }));
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "the file is there",
            trigger: ".modal .o_field_widget[name='content'] .o_clear_file_button",
        },
        {
            content: "its PIN",
            trigger: ".modal .o_field_widget[name='pkcs12_password'] input",
            run: "edit 1234",
        },
        {
            content: "save the certificate",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "refused when saved, in Spanish",
            trigger: ".modal:contains(Esta llave criptográfica no se puede usar)",
        },
        shot("accountant-certificate-refused"),
        {
            content: "close the message",
            trigger: ".modal:contains(Esta llave criptográfica no se puede usar) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "discard the certificate",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "and what was typed in the settings",
            trigger: "body:not(:has(.modal)) .o_control_panel .o_form_button_cancel",
            run: "click",
        },
        {
            content: "the company keeps its certificate",
            trigger: ".o_field_widget[name='l10n_cr_certificate_id'] input:value('Hacienda signing key of Empresa Demo S.A.')",
        },
    ],
});

// What later steps need survives the page loads in between.
function remember(values) {
    sessionStorage.setItem("l10nCrAccountantDay", JSON.stringify(values));
}
function remembered() {
    return JSON.parse(sessionStorage.getItem("l10nCrAccountantDay") || "{}");
}

registry.category("web_tour.tours").add("l10n_cr_einvoice_accountant_day", {
    steps: () => [
        // A product with its CABYS code, by a billing user. (The many-to-one first, on the fresh form:
        // an onchange of another field coming back while its code is typed would clear it.)
        {
            content: "its CABYS code, in the General Information tab",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name='l10n_cr_cabys_id'] input",
            run: "edit 8314100000000",
        },
        {
            content: "pick it",
            trigger: ".o-autocomplete--dropdown-item:contains(8314100000000)",
            run: "click",
        },
        {
            content: "chosen",
            trigger: ".o_field_widget[name='l10n_cr_cabys_id'] input:value('8314100000000 - Servicios de diseño y desarrollo de software')",
        },
        {
            content: "product name",
            trigger: ".o_field_widget[name='name'] input, .o_field_widget[name='name'] textarea",
            run: `edit ${PRODUCT}`,
        },
        {
            content: "a service",
            trigger: ".o_field_widget[name='type'] input[data-value='service']",
            run: "click",
        },
        {
            content: "its price",
            trigger: ".o_field_widget[name='list_price'] input",
            run: "edit 120000",
        },
        ...stepUtils.saveForm(),
        shot("accountant-product"),

        // An invoice with a discount.
        {
            content: "a new invoice",
            trigger: ".o_form_saved, .o_form_readonly",
            run() {
                window.location.href = "/odoo/action-account.action_move_out_invoice/new";
            },
            expectUnloadPage: true,
        },
        {
            content: "the customer",
            trigger: ".o_field_widget[name='partner_id'] input",
            run: "edit Comercial La Sabana",
        },
        {
            content: "pick the customer",
            trigger: `.o-autocomplete--dropdown-item:contains(${CUSTOMER})`,
            run: "click",
        },
        {
            content: "show the discount column",
            trigger: "div[name='invoice_line_ids'] .o_optional_columns_dropdown_toggle",
            run: "click",
        },
        {
            content: "Disc.%",
            trigger: ".o-dropdown-item input[name='discount']",
            run: "click",
        },
        {
            content: "close the columns menu",
            trigger: "div[name='invoice_line_ids'] th[data-name='discount']",
            run() {
                document.querySelector("div[name='invoice_line_ids'] .o_optional_columns_dropdown_toggle").click();
            },
        },
        {
            content: "add a line",
            trigger: "div[name='invoice_line_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "the product",
            trigger: "div[name='invoice_line_ids'] .o_selected_row [name='product_id'] input",
            run: `edit ${PRODUCT}`,
        },
        {
            content: "pick the product",
            trigger: `.o-autocomplete--dropdown-item:contains(${PRODUCT})`,
            run: "click",
        },
        {
            content: "the line takes the product's price",
            trigger: "div[name='invoice_line_ids'] .o_selected_row [name='price_subtotal']:contains('120,000')",
        },
        {
            content: "10 % discount",
            trigger: "div[name='invoice_line_ids'] .o_selected_row [name='discount'] input",
            run: "edit 10",
        },
        ...stepUtils.saveForm(),
        {
            content: "the discount applied",
            trigger: "div[name='invoice_line_ids'] [name='price_subtotal']:contains('108,000')",
        },
        ...confirmAndSeeAccepted("accountant-invoice"),
        {
            content: "remember the invoice and its clave",
            trigger: ".oe_stat_button .o_stat_value:contains(Aceptado)",
            async run() {
                const invoiceId = recordIdFromUrl();
                const [doc] = await callKw("l10n_cr.einvoice.document", "search_read",
                    [[["move_id", "=", invoiceId]], ["clave"]]);
                remember({ invoiceId, clave: doc.clave });
            },
        },

        // The printed document names its issuer (under the test runner the report comes as HTML).
        {
            content: "Print: no document-layout wizard in the way",
            trigger: ".o_form_statusbar button[name='action_print_pdf']",
            async run() {
                const { invoiceId, clave } = remembered();
                const action = await callKw("account.move", "action_print_pdf", [[invoiceId]]);
                if (action.type !== "ir.actions.report") {
                    throw new Error(`Print opens ${action.res_model || action.type}, not the report`);
                }
                // The route the web client's Print downloads through (under the test runner the
                // report comes as HTML; the PDF itself is checked by the test afterwards).
                const data = JSON.stringify([`/report/pdf/account.report_invoice/${invoiceId}`, "qweb-pdf"]);
                const page = await (await fetch(`/report/download?data=${encodeURIComponent(data)}`)).text();
                for (const expected of ["Empresa Demo S.A.", "3101123456", clave]) {
                    if (!page.includes(expected)) {
                        throw new Error(`the printed invoice lacks ${expected}`);
                    }
                }
                // The printed page, shown over the form for the screenshot.
                const frame = document.createElement("iframe");
                frame.className = "o_l10n_cr_printed_preview";
                frame.style.cssText = "position: fixed; inset: 0; width: 100%; height: 100%; z-index: 10000; border: 0; background: white;";
                const loaded = new Promise((resolve) => frame.addEventListener("load", resolve));
                frame.srcdoc = page;
                document.body.appendChild(frame);
                await loaded;
            },
        },
        shot("accountant-printed"),
        {
            content: "close the printed page",
            trigger: "iframe.o_l10n_cr_printed_preview",
            run() {
                this.anchor.remove();
            },
        },

        // Its electronic document, straight from the Hacienda button.
        {
            content: "the Hacienda button",
            trigger: ".oe_stat_button:contains(Hacienda)",
            run: "click",
        },
        {
            content: "opens the accepted document itself, which offers no validation any more",
            trigger: ".o_form_view .o_field_widget[name='clave']",
            run() {
                if (document.querySelector(".o_form_statusbar button[name='action_l10n_cr_validate']")) {
                    throw new Error("Validar is offered on an accepted document");
                }
            },
        },
        shot("accountant-document"),

        // A credit note.
        {
            content: "back to the invoice",
            trigger: ".o_form_view .o_field_widget[name='clave']",
            run() {
                window.location.href = `/odoo/action-account.action_move_out_invoice/${remembered().invoiceId}`;
            },
            expectUnloadPage: true,
        },
        {
            content: "Credit Note",
            trigger: ".o_form_statusbar button[name='action_reverse']",
            run: "click",
        },
        {
            content: "the reason",
            trigger: ".modal .o_field_widget[name='reason'] input",
            run: "edit Descuento adicional acordado",
        },
        {
            content: "reverse",
            trigger: ".modal button[name='refund_moves']",
            run: "click",
        },
        {
            content: "the draft credit note",
            trigger: "body:not(:has(.modal)) .o_form_statusbar button[name='action_post']",
        },
        ...confirmAndSeeAccepted("accountant-credit-note"),

        // The invoice found by its clave.
        {
            content: "the invoices",
            trigger: ".oe_stat_button .o_stat_value:contains(Aceptado)",
            run() {
                window.location.href = "/odoo/action-account.action_move_out_invoice";
            },
            expectUnloadPage: true,
        },
        {
            content: "type the clave",
            trigger: ".o_searchview_input",
            async run(helpers) {
                await helpers.edit(remembered().clave);
            },
        },
        {
            content: "search it as a clave",
            trigger: ".o_searchview_autocomplete .dropdown-item:contains(Clave o consecutivo)",
            run: "click",
        },
        {
            content: "only that invoice",
            trigger: ".o_list_view .o_data_row:only-child",
            run() {
                if (!this.anchor.textContent.includes(CUSTOMER)) {
                    throw new Error(`another invoice was found: ${this.anchor.textContent}`);
                }
            },
        },
        shot("accountant-search-clave"),

        // The electronic documents: their names differ at the end (the consecutivo), shown whole.
        {
            content: "the electronic documents",
            trigger: ".o_list_view .o_data_row",
            run() {
                window.location.href = "/odoo/action-l10n_cr_einvoice.action_l10n_cr_einvoice_document";
            },
            expectUnloadPage: true,
        },
        {
            content: "each name whole",
            trigger: ".o_list_view .o_data_row:nth-child(2) .o_data_cell[name='name']",
            run() {
                const cells = [...document.querySelectorAll(".o_list_view .o_data_cell[name='name']")];
                const cut = cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1);
                if (cut.length) {
                    throw new Error(`names cut: ${cut.map((cell) => cell.textContent).join(", ")}`);
                }
            },
        },
    ],
});
