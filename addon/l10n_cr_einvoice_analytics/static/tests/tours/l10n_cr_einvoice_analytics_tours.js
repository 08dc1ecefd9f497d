import { registry } from "@web/core/registry";

// The monthly report's wizard shows its year as a year: "2026", not the number "2,026".
registry.category("web_tour.tours").add("l10n_cr_einvoice_analytics_monthly_report", {
    steps: () => [
        {
            content: "the wizard's year",
            trigger: ".modal .o_field_widget[name='year'] input",
            run() {
                if (!/^2\d{3}$/.test(this.anchor.value)) {
                    throw new Error(`the year reads "${this.anchor.value}"`);
                }
            },
        },
    ],
});
