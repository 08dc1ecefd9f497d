import { Component, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import {
    identificationProblem,
    normalizeIdentification,
} from "@l10n_cr_einvoice_pos/app/einvoice_labels";

/**
 * The customer's identification, captured before payment: with it the sale is documented by a
 * Factura Electrónica instead of a Tiquete. The number is checked against Hacienda's rules for its
 * type as it is typed; the customer is looked up among the loaded customers, then on the server;
 * an unknown customer only needs a name (the server creates them when the order arrives, so this
 * works offline too).
 */
export class CustomerIdentificationDialog extends Component {
    static template = "l10n_cr_einvoice_pos.CustomerIdentificationDialog";
    static components = { Dialog };
    static props = {
        order: Object,
        getPayload: Function,
        close: Function,
    };

    setup() {
        this.pos = usePos();
        const captured = this.props.order.l10nCrCapturedId;
        this.state = useState({
            idType: captured?.idType || this.idTypes[0]?.code || "01",
            number: captured?.number || "",
            name: captured?.name || "",
            email: captured?.email || "",
            partnerId: null,
            searching: false,
            searched: "",
        });
        if (captured) {
            this.lookUp();
        }
    }

    get idTypes() {
        return this.pos.config._l10n_cr_id_types || [];
    }

    get number() {
        return normalizeIdentification(this.state.number);
    }

    get numberProblem() {
        return this.number ? identificationProblem(this.pos.config, this.state.idType, this.number) : "";
    }

    get partner() {
        return this.state.partnerId ? this.pos.models["res.partner"].get(this.state.partnerId) : null;
    }

    get canConfirm() {
        return Boolean(
            this.number &&
                !this.numberProblem &&
                (this.partner || this.state.name.trim().length >= 3)
        );
    }

    findLoaded(idType, number) {
        return this.pos.models["res.partner"].find(
            (partner) =>
                normalizeIdentification(partner.vat) === number &&
                (!partner.l10n_cr_id_type_code || partner.l10n_cr_id_type_code === idType)
        );
    }

    onTypeChange(ev) {
        this.state.idType = ev.target.value;
        this.state.partnerId = null;
        this.lookUp();
    }

    onNumberInput(ev) {
        this.state.number = ev.target.value;
        this.state.partnerId = null;
        this.lookUp();
    }

    async lookUp() {
        const { idType } = this.state;
        const number = this.number;
        if (!number || this.numberProblem) {
            return;
        }
        const loaded = this.findLoaded(idType, number);
        if (loaded) {
            this.state.partnerId = loaded.id;
            this.state.searched = number;
            return;
        }
        if (this.pos.data.network.offline) {
            this.state.searched = number;
            return;
        }
        this.state.searching = true;
        try {
            await this.pos.data.callRelated(
                "res.partner",
                "l10n_cr_pos_find_partner",
                [this.pos.config.id, idType, number],
                {},
                false
            );
        } catch {
            // Offline or refused: the customer is then found or created when the order reaches the server.
        } finally {
            this.state.searching = false;
        }
        if (number === this.number && idType === this.state.idType) {
            this.state.partnerId = this.findLoaded(idType, number)?.id || null;
            this.state.searched = number;
        }
    }

    confirm() {
        if (!this.canConfirm) {
            return;
        }
        const partner = this.partner;
        this.props.getPayload({
            idType: this.state.idType,
            number: this.number,
            name: partner ? partner.name : this.state.name.trim(),
            email: partner ? "" : this.state.email.trim(),
            partner,
        });
        this.props.close();
    }

    remove() {
        this.props.getPayload({ remove: true });
        this.props.close();
    }

    get title() {
        return _t("Customer identification (Factura Electrónica)");
    }
}
