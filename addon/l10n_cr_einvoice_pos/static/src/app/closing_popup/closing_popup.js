import { ClosePosPopup } from "@point_of_sale/app/components/popups/closing_popup/closing_popup";

// The server adds the orders whose electronic document Hacienda has not accepted yet
// (pos.session.get_closing_control_data).
ClosePosPopup.props = [...ClosePosPopup.props, "l10n_cr_einvoice_pending?"];
