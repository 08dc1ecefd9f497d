import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

// Accept a supplier document in its form: the decision dialog, then the message on its way.
function acceptSteps() {
    return [
        {
            content: "The supplier document, from its supplier's signed XML",
            trigger: ".o_form_view .o_field_widget[name='supplier_id']:contains(Distribuidora El Roble S.A.)",
        },
        {
            content: "Hacienda accepted the supplier's document",
            trigger: ".o_form_view .o_field_widget[name='hacienda_state']:contains(Accepted)",
        },
        {
            content: "Accept it",
            trigger: ".o_form_view .o_form_statusbar button[name='action_l10n_cr_decide']:contains(Accept):not(:contains(partially))",
            run: "click",
        },
        {
            content: "The decision dialog proposes an acceptance with full VAT credit",
            trigger: ".modal .o_field_widget[name='tax_condition'] .o_select_menu_toggler",
            run() {
                const shown = this.anchor.value ?? this.anchor.textContent;
                if (!shown.includes("VAT credit (01)")) {
                    throw new Error(`VAT condition proposed: ${shown}`);
                }
            },
        },
        {
            content: "all of the document's VAT credited",
            trigger: ".modal .o_field_widget[name='amount_tax_credit']:contains(3,085.00)",
        },
        {
            content: "Send the message to Hacienda",
            trigger: ".modal button[name='action_l10n_cr_confirm']",
            run: "click",
        },
        {
            content: "Decided: the Mensaje Receptor is on its way",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Accepted)",
        },
        {
            content: "Its message, to send",
            trigger: ".o_form_view .o_field_widget[name='message_state']:contains(To send)",
        },
    ];
}

tours.add("l10n_cr_einvoice_supplier_tour", { steps: acceptSteps });

// The screenshots of docs/supplier-documents.md: the test class TestSupplierScreenshots (run on
// request only) captures the page whenever a step logs this marker.
const MARKER = "l10n_cr_screenshot:";

function shot(name, selector = "body") {
    return {
        content: `screenshot ${name}`,
        trigger: selector,
        async run() {
            await new Promise((resolve) => setTimeout(resolve, 500)); // animations settle
            console.log(`${MARKER}${name}`);
            await new Promise((resolve) => setTimeout(resolve, 1200)); // the capture happens
        },
    };
}

function page(name, steps) {
    tours.add(`l10n_cr_einvoice_supplier_shot_${name}`, { steps: () => steps });
}

page("supplier-list", [
    { content: "documents listed", trigger: ".o_list_view .o_data_row:contains(Distribuidora El Roble)" },
    shot("supplier-list"),
]);

page("supplier-import", [
    { content: "Import XML", trigger: ".o_control_panel button:contains(Import XML)", run: "click" },
    { content: "import dialog", trigger: ".modal .o_field_widget[name='attachment_ids']" },
    { content: "(focus off the journal)", trigger: ".modal .modal-body p", run: "click" },
    shot("supplier-import"),
]);

page("supplier-refused", [
    {
        content: "the import dialog the test prepared, with a file changed after it was signed",
        trigger: ".o_list_view",
        async run() {
            const env = odoo.__WOWL_DEBUG__.root.env;
            const [uploadId] = await env.services.orm.search("l10n_cr.einvoice.received.upload", [], {
                limit: 1,
                order: "id desc",
            });
            await env.services.action.doAction({
                type: "ir.actions.act_window",
                res_model: "l10n_cr.einvoice.received.upload",
                res_id: uploadId,
                views: [[false, "form"]],
                target: "new",
            });
        },
    },
    { content: "the file to import", trigger: ".modal .o_field_widget[name='attachment_ids']:contains(FE-el-roble-0005)" },
    { content: "import it", trigger: ".modal button[name='action_l10n_cr_import']", run: "click" },
    { content: "refused, with the reason", trigger: ".modal:contains(does not verify)" },
    shot("supplier-refused"),
]);

page("supplier-document", [
    { content: "document to decide", trigger: ".o_form_view button[name='action_l10n_cr_decide']" },
    { content: "taxes by rate", trigger: ".o_field_widget[name='tax_line_ids'] .o_data_row" },
    shot("supplier-document"),
    {
        content: "Accept partially",
        trigger: ".o_form_view .o_form_statusbar button[name='action_l10n_cr_decide']:contains(partially)",
        run: "click",
    },
    {
        content: "reason",
        trigger: ".modal .o_field_widget[name='reason'] textarea",
        run: "edit Faltó una resma de papel: se acredita el IVA de lo recibido.",
    },
    {
        content: "the VAT condition",
        trigger: ".modal .o_field_widget[name='tax_condition'] .o_select_menu_toggler",
        run: "click",
    },
    {
        content: "partial VAT credit",
        trigger: ".o_select_menu_item:contains(Partial VAT credit)",
        run: "click",
    },
    {
        content: "VAT credited",
        trigger: ".modal .o_field_widget[name='amount_tax_credit'] input:not([readonly])",
        run: "edit 4760",
    },
    shot("supplier-decision", ".modal"),
    { content: "send", trigger: ".modal button[name='action_l10n_cr_confirm']", run: "click" },
    {
        content: "decided",
        trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Partially accepted)",
    },
    shot("supplier-decided"),
]);

page("supplier-accepted", [
    { content: "message accepted", trigger: ".o_form_view .o_field_widget[name='message_state']:contains(Accepted)" },
    { content: "messages tab", trigger: ".o_notebook a.nav-link:contains(Messages to Hacienda)", run: "click" },
    { content: "the message", trigger: ".o_field_widget[name='message_document_ids'] .o_data_row" },
    shot("supplier-accepted"),
]);

page("supplier-bill", [
    { content: "the bill's supplier document", trigger: ".o_form_view button[name='action_l10n_cr_received']" },
    shot("supplier-bill"),
]);

page("supplier-hacienda-rejected", [
    { content: "rejected by Hacienda", trigger: ".o_form_view .alert-danger:contains(Hacienda rejected this document)" },
    shot("supplier-hacienda-rejected"),
]);

page("other-charge-product", [
    { content: "its charge type, in the General Information tab", trigger: ".o_field_widget[name='l10n_cr_other_charge_type_id']" },
    shot("other-charge-product", ".o_field_widget[name='l10n_cr_other_charge_type_id']"),
]);
