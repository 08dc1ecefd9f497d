import { Component, onWillDestroy, onWillUpdateProps, xml } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

// Must match LIVE_STATE_CHANNEL / LIVE_STATE_NOTIFICATION in models/l10n_cr_einvoice_document.py.
const CHANNEL = "l10n_cr_einvoice_state";
const NOTIFICATION = "l10n_cr_einvoice.state";

/**
 * Placed in the form of a record with electronic documents (an invoice, a document, a POS order):
 * when Hacienda's answer changes a document's state — usually in the queue's cron, a second after
 * the posting — the server says so on the record's bus channel and the form reloads itself, so
 * the badge and the banner show "Accepted" without the user reloading the page.
 */
export class EinvoiceLiveState extends Component {
    static template = xml`<t/>`;
    static props = { ...standardWidgetProps };

    setup() {
        this.bus = useService("bus_service");
        this.channel = null;
        this.onStateChange = this.onStateChange.bind(this);
        this.bus.subscribe(NOTIFICATION, this.onStateChange);
        this.follow(this.props.record);
        onWillUpdateProps((nextProps) => this.follow(nextProps.record));
        onWillDestroy(() => {
            this.bus.unsubscribe(NOTIFICATION, this.onStateChange);
            this.follow(null);
        });
    }

    follow(record) {
        const channel = record?.resId ? `${CHANNEL}:${record.resModel}:${record.resId}` : null;
        if (channel === this.channel) {
            return;
        }
        if (this.channel) {
            this.bus.deleteChannel(this.channel);
        }
        this.channel = channel;
        if (channel) {
            this.bus.addChannel(channel);
        }
    }

    async onStateChange({ model, id }) {
        const record = this.props.record;
        // What the user is typing is never thrown away: a form with unsaved changes stays as it is.
        if (record.resModel !== model || record.resId !== id || record.dirty) {
            return;
        }
        await record.load();
    }
}

registry.category("view_widgets").add("l10n_cr_einvoice_live_state", { component: EinvoiceLiveState });
