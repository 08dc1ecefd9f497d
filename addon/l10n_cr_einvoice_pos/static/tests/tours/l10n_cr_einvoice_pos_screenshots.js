import { registry } from "@web/core/registry";
import { tillDay } from "./l10n_cr_einvoice_pos_tour";

// The screenshots of docs/pos-guide.md: the test class TestPosScreenshots (run on request only)
// captures the page whenever a step logs this marker.
const MARKER = "l10n_cr_screenshot:";

function shot(name, selector = null) {
    return {
        content: `screenshot ${name}`,
        trigger: selector || "body",
        async run() {
            if (selector) {
                this.anchor.scrollIntoView({ block: "center" });
            }
            await new Promise((resolve) => setTimeout(resolve, 400)); // animations settle
            console.log(`${MARKER}${name}`);
            await new Promise((resolve) => setTimeout(resolve, 1200)); // the capture happens
        },
    };
}

registry.category("web_tour.tours").add("l10n_cr_einvoice_pos_screenshots", {
    steps: () => tillDay(shot),
});

/** One back-office page: wait for `selector`, open the Hacienda tab if there is one, capture. */
function pageShot(name, selector, tab = null) {
    const steps = [
        { content: "page loaded", trigger: selector },
        {
            // The settings page of the test company may greet with an unrelated warning.
            content: "close any warning dialog",
            trigger: "body",
            run() {
                document.querySelector(".modal .modal-footer .btn-primary")?.click();
            },
        },
    ];
    if (tab) {
        steps.push({ content: `open the ${tab} tab`, trigger: `.o_notebook a.nav-link:contains("${tab}")`, run: "click" });
    }
    steps.push(shot(name, selector));
    return steps;
}

const PAGES = {
    "backend-order": [".o_form_view .o_form_sheet", "Hacienda"],
    "backend-order-problem": [".o_form_view .alert-danger"],
    "backend-session": [".o_form_view .alert-warning"],
    "backend-payment-methods": [".o_list_view .o_data_row"],
    "backend-settings": [".o_field_widget[name='pos_l10n_cr_terminal']"],
};
for (const [name, [selector, tab]] of Object.entries(PAGES)) {
    registry.category("web_tour.tours").add(`l10n_cr_einvoice_pos_screenshot_${name}`, {
        steps: () => pageShot(name, selector, tab),
    });
}
