//! The demo's complaints: what hospitals, home infusion services, distributors and theatre
//! teams told Veltmark about the VP-300 and its administration sets and about the
//! orthopaedic instruments — complaints, feedback and enquiries, low to critical, a few
//! reported to the authorities. Each is classified with its reporting decision before it is
//! investigated; the older ones are answered and closed with a signature and, where the
//! customer said, a satisfaction score for the trend on the register; the recent ones are
//! still received, being investigated or waiting to be closed. One was closed and reopened,
//! some were rejected as duplicates or logged in error, some withdrawn by the customer.
//! Complaints that needed a corrective action are addressed by a CAPA from `capa.rs` and
//! refer to the nonconformity raised for the returned product (`nonconformity.rs`).

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE, crew};
use super::{Demo, New};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Received,
    /// Classified, with the reporting decision; being investigated.
    Investigating,
    /// Answered; waiting for the score and the signature that closes it.
    Responded,
    Closed,
    /// Closed, then reopened when the customer came back.
    Reopened,
    /// Rejected as a duplicate of the complaint before it, on receipt.
    Duplicate,
    /// Classified, then found to have been logged in error and rejected.
    InError,
    /// Withdrawn by the customer; `classified` if that came after classification.
    Withdrawn {
        classified: bool,
    },
}

use Story::*;

struct Complaint {
    site: &'static str,
    /// Days ago it was received.
    days_ago: i64,
    /// Days after receipt the answer went out.
    answered_after: i64,
    channel: &'static str,
    customer: &'static str,
    contact: &'static str,
    product: &'static str,
    lot: &'static str,
    udi: &'static str,
    title: &'static str,
    description: &'static str,
    classification: &'static str,
    category: &'static str,
    severity: &'static str,
    reportable: bool,
    rationale: &'static str,
    report_reference: &'static str,
    investigation: &'static str,
    /// The CAPA that addresses it (a tag from `capa.rs`); a CAPA is then needed.
    capa: Option<&'static str>,
    /// Whether it refers to a nonconformity raised for the CAPA's problem.
    nc: bool,
    response: &'static str,
    satisfaction: Option<i64>,
    story: Story,
    /// Why it was rejected or withdrawn, or reopened.
    reason: &'static str,
}

const NOT_REPORTABLE: &str = "No one was harmed and, given how the problem shows itself, no \
                              serious harm could have followed; not reportable under the \
                              vigilance rules or as a medical device report.";

const VP300: &str = "VP-300 ambulatory infusion pump";
const SET: &str = "VP-300 administration set";

const BASE: Complaint = Complaint {
    site: BROOKFIELD,
    days_ago: 1,
    answered_after: 14,
    channel: "email",
    customer: "",
    contact: "",
    product: VP300,
    lot: "",
    udi: "",
    title: "",
    description: "",
    classification: "complaint",
    category: "quality",
    severity: "low",
    reportable: false,
    rationale: NOT_REPORTABLE,
    report_reference: "",
    investigation: "",
    capa: None,
    nc: false,
    response: "",
    satisfaction: None,
    story: Received,
    reason: "",
};

const COMPLAINTS: &[Complaint] = &[
    // ---- Brookfield: the VP-300 and its administration sets ----
    Complaint {
        days_ago: 240,
        answered_after: 21,
        channel: "phone",
        customer: "St Aldhelm's Hospital, oncology day unit",
        contact: "Ward manager, 0161 555 0142",
        lot: "serial VP3-18842",
        udi: "(01)05065001230017(21)VP3-18842",
        title: "Occlusion alarm came late after a pump was dropped",
        description: "A nurse found the line kinked under the patient's arm; the occlusion \
                      alarm sounded well after she expected it. The pump had been dropped on \
                      the ward the week before. The patient received the rest of the dose \
                      late; no harm reported.",
        category: "safety",
        severity: "critical",
        reportable: true,
        rationale: "A late occlusion alarm can delay a time-critical infusion and could lead \
                    to serious harm if it happened again: reported as a serious incident to \
                    the competent authority and as a malfunction to the FDA.",
        report_reference: "Competent authority VIG-2291; FDA MDR 3012345678-0004",
        investigation: "Returned pump alarmed after 95 s at the middle rate against 60 s. \
                        The pressure sensor had moved in its mount; drop test on three \
                        pumps reproduced it. Service records show no other dropped pumps \
                        with late alarms.",
        capa: Some("capa:sensor-mount"),
        nc: true,
        response: "Loan pump supplied the same day; the pump repaired and recalibrated; \
                   written report of the investigation sent, with the reminder that dropped \
                   pumps go to biomedical engineering for a check.",
        satisfaction: Some(4),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 240,
        channel: "email",
        customer: "St Aldhelm's Hospital, risk management",
        contact: "Patient safety lead",
        lot: "serial VP3-18842",
        title: "Late occlusion alarm (reported by the risk team)",
        description: "The hospital's risk team reports the late occlusion alarm on the \
                      oncology day unit.",
        category: "safety",
        severity: "critical",
        story: Duplicate,
        reason: "Duplicate: the same event, already logged from the ward's phone call.",
        ..BASE
    },
    Complaint {
        days_ago: 12,
        channel: "sales",
        customer: "Northmere General Hospital, biomedical engineering",
        contact: "Senior biomedical engineer",
        lot: "serial VP3-20417",
        title: "Occlusion alarm slow on a pump returned for service",
        description: "At the yearly service check the pump took longer than the stated time \
                      to alarm on occlusion. Staff recall it falling from a drip stand.",
        category: "safety",
        severity: "high",
        reportable: true,
        rationale: "Same failure as the earlier serious incident; a malfunction that could \
                    lead to serious harm if it recurred: reported to the competent authority \
                    as a follow-up to the earlier report.",
        report_reference: "Competent authority VIG-2291, follow-up 2",
        capa: Some("capa:sensor-mount"),
        nc: true,
        story: Investigating,
        ..BASE
    },
    Complaint {
        days_ago: 200,
        answered_after: 18,
        channel: "email",
        customer: "Kestrel Community Health, district nursing",
        product: SET,
        lot: "lot B33417",
        title: "Administration sets leaking at the luer during priming",
        description: "Two sets from the same box leaked at the luer connector while being \
                      primed, wetting the pump. Both were replaced before connecting to the \
                      patient.",
        severity: "medium",
        rationale: "The leak shows during priming, before the set is connected, so the \
                    patient cannot receive a wrong dose from it; no harm. Not reportable.",
        investigation: "Retained samples of the lot failed the leak test at the luer bond. \
                        Cause: the adhesive under-cured after a lamp change.",
        capa: Some("capa:luer-bond"),
        nc: true,
        response: "Lot replaced; credit note for the two boxes; investigation summary sent.",
        satisfaction: Some(3),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 150,
        answered_after: 12,
        channel: "phone",
        customer: "Harrowgate Home Infusion Services",
        product: SET,
        lot: "lot B34102",
        title: "Wet connector on an administration set at home",
        description: "A patient's carer found the luer connector wet during a home infusion \
                      and stopped it; the community nurse restarted with a new set.",
        severity: "medium",
        rationale: "The carer saw the leak at once and the infusion was restarted with a new \
                    set within the hour; the drug is not time-critical. Not reportable.",
        investigation: "Same luer bond failure as the earlier lots; covered by the CAPA on \
                        curing.",
        capa: Some("capa:luer-bond"),
        nc: true,
        response: "Replacement sets delivered the next day; explanation and the corrective \
                   action sent by letter.",
        satisfaction: Some(4),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 30,
        answered_after: 20,
        channel: "distributor",
        customer: "Harrowgate Home Infusion Services",
        product: SET,
        lot: "lot B37760",
        title: "Another leaking set after the corrective action",
        description: "One set leaked at the luer; the customer asks whether the fix has \
                      worked.",
        severity: "medium",
        rationale: "Leak found before connection; no harm possible. Not reportable.",
        investigation: "The set passed our retest; the luer was cross-threaded onto a \
                        third-party extension. Lot records show the bonding within limits.",
        capa: Some("capa:luer-bond"),
        response: "Explained by phone and letter; guidance on connecting extensions sent to \
                   the nurses.",
        story: Responded,
        ..BASE
    },
    Complaint {
        days_ago: 110,
        answered_after: 9,
        channel: "web",
        customer: "Cowley Road Medical Centre",
        product: SET,
        lot: "lot B35590",
        title: "Set leaking at the luer, again",
        description: "Luer leak on a set during priming; this was answered once and the \
                      customer has now seen it again on a later lot.",
        severity: "medium",
        rationale: "Seen during priming; no harm possible. Not reportable.",
        investigation: "Lot within limits at the first look; answered as a handling issue.",
        capa: Some("capa:luer-bond"),
        response: "Sets replaced.",
        satisfaction: Some(2),
        story: Reopened,
        reason: "The customer reports the same leak on a later lot; the first answer did not \
                 find the cause.",
        ..BASE
    },
    Complaint {
        days_ago: 170,
        answered_after: 10,
        channel: "email",
        customer: "Northmere General Hospital, pharmacy",
        product: SET,
        lot: "lot B34511",
        title: "Expiry date printed in an unfamiliar order",
        description: "Pharmacy staff could not tell at a glance whether the expiry date on \
                      the label was day-month or month-day.",
        category: "labelling",
        severity: "medium",
        rationale: "The sets were in date whichever way it is read; no set was used past \
                    expiry. Not reportable.",
        investigation: "The label template had been edited at the printer; the released \
                        master uses year-month-day.",
        capa: Some("capa:label-template"),
        response: "Correctly labelled stock exchanged; explanation of the date format \
                   sent.",
        satisfaction: Some(5),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 130,
        answered_after: 16,
        channel: "sales",
        customer: "Fenwick Hospice",
        title: "Battery does not last the stated 72 hours",
        description: "Pumps on 72-hour infusions show the low battery warning after about 50 \
                      hours.",
        category: "performance",
        severity: "medium",
        rationale: "The low battery alarm works and gives hours of warning; the infusion is \
                    not interrupted. Not reportable.",
        investigation: "Two returned battery packs had lost capacity. Their lot was among \
                        the packs stored too warm during last summer's heatwave.",
        response: "Battery packs replaced free of charge; new packs tested before dispatch.",
        satisfaction: Some(3),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 95,
        answered_after: 14,
        channel: "email",
        customer: "Northmere General Hospital, biomedical engineering",
        lot: "serial VP3-19902",
        title: "Flow rate measured low at 1 ml/h",
        description: "The hospital's own test found the pump 4 % low at 1 ml/h.",
        category: "performance",
        severity: "high",
        rationale: "4 % is inside the stated accuracy of ±5 %; no malfunction. Not \
                    reportable.",
        investigation: "Retested on both benches: within specification. The hospital's \
                        test used a shorter run than the instructions ask for.",
        response: "Results and the test method from the service manual sent; offered a \
                   joint test on site.",
        satisfaction: Some(4),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 75,
        answered_after: 7,
        channel: "phone",
        customer: "Kestrel Community Health, stores",
        product: SET,
        title: "Administration sets delivered a week late",
        description: "The monthly order of sets arrived six days late; nurses borrowed sets \
                      from another team.",
        category: "delivery",
        rationale: "No device problem; not reportable.",
        investigation: "The contract steriliser's load slipped a week; our planning did not \
                        warn the customer.",
        response: "Apology; customers now told when a load slips.",
        satisfaction: Some(2),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 60,
        answered_after: 3,
        channel: "email",
        customer: "Linden Park Hospital, infusion team",
        title: "Can the VP-300 take the new drug library format?",
        description: "The hospital is changing its drug library software and asks whether \
                      the VP-300 can load it.",
        classification: "enquiry",
        category: "other",
        rationale: "An enquiry, not an event involving a device; not reportable.",
        investigation: "No investigation needed: design confirmed the format is supported \
                        from firmware 2.4.",
        response: "Confirmed, with the firmware version needed and the upgrade route.",
        satisfaction: Some(5),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 45,
        answered_after: 2,
        channel: "social_media",
        customer: "Harrowgate Home Infusion Services",
        title: "Praise for the new carry pouch",
        description: "Nurses posted that patients find the new pouch easier to wear at night.",
        classification: "feedback",
        category: "other",
        rationale: "Feedback, not about a device problem; not reportable.",
        investigation: "No investigation needed; passed to design.",
        response: "Thanked the team.",
        satisfaction: Some(5),
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 20,
        answered_after: 5,
        channel: "in_person",
        customer: "Fenwick Hospice",
        title: "Display text too small for some patients",
        description: "Patients with poor eyesight cannot read the remaining volume on the \
                      display.",
        classification: "feedback",
        category: "performance",
        rationale: "Feedback on use; no malfunction. Not reportable.",
        investigation: "Logged as a user need for the next design change; the large-font \
                        setting already exists and was not known to the staff.",
        response: "Showed the staff the large-font setting; the suggestion goes to design.",
        story: Responded,
        ..BASE
    },
    Complaint {
        days_ago: 80,
        answered_after: 4,
        channel: "letter",
        customer: "Cowley Road Medical Centre, accounts",
        product: "Loan pump service",
        title: "Invoiced twice for one loan pump",
        description: "The same loan pump was invoiced in two months.",
        category: "billing",
        rationale: "Administrative; not reportable.",
        investigation: "The loan was not closed in the ERP when the pump came back.",
        response: "Second invoice cancelled; credit note sent.",
        story: Closed,
        ..BASE
    },
    Complaint {
        days_ago: 18,
        channel: "email",
        customer: "St Aldhelm's Hospital, biomedical engineering",
        product: "Pump repair service",
        lot: "serial VP3-17730",
        title: "Repair took three weeks",
        description: "A pump sent for repair came back after three weeks; the contract says \
                      ten working days.",
        category: "service",
        severity: "medium",
        rationale: "Service delay; no device problem. Not reportable.",
        story: Investigating,
        ..BASE
    },
    Complaint {
        days_ago: 2,
        channel: "distributor",
        customer: "Medisupply Benelux",
        lot: "serial VP3-21104",
        title: "Pump screen cracked on arrival",
        description: "One pump of a shipment of ten arrived with a cracked screen; the outer \
                      box was dented.",
        category: "packaging",
        severity: "medium",
        story: Received,
        ..BASE
    },
    Complaint {
        days_ago: 9,
        channel: "phone",
        customer: "Northmere General Hospital, ward 12",
        title: "Alarm hard to hear on a busy ward",
        description: "Staff did not hear an end-of-infusion alarm for several minutes during \
                      visiting hours.",
        category: "safety",
        severity: "high",
        rationale: "End-of-infusion, not a fault; the alarm meets the sound level the alarm \
                    standard requires and the infusion had finished. No harm. Not \
                    reportable; to be looked at again if the investigation finds the alarm \
                    quieter than specified.",
        story: Investigating,
        ..BASE
    },
    Complaint {
        days_ago: 0,
        channel: "phone",
        customer: "Kestrel Community Health, district nursing",
        lot: "serial VP3-20988",
        title: "Occlusion alarm did not sound when the clamp was closed",
        description: "A nurse says the pump kept running with the clamp closed; the patient \
                      noticed after some minutes. The pump is being sent back.",
        category: "safety",
        severity: "critical",
        story: Received,
        ..BASE
    },
    Complaint {
        days_ago: 3,
        channel: "web",
        customer: "Private patient (via the web form)",
        product: SET,
        title: "Set kinked inside the pouch",
        description: "The tubing kinked inside the carry pouch and the pump alarmed.",
        category: "performance",
        story: Withdrawn { classified: false },
        reason: "The patient's nurse showed them how to route the tubing; they asked us to \
                 close it.",
        ..BASE
    },
    Complaint {
        days_ago: 25,
        channel: "email",
        customer: "Linden Park Hospital, sustainability office",
        product: SET,
        title: "Carbon footprint of the administration set",
        description: "The hospital asks for the carbon footprint of one administration set \
                      for its supplier scorecard.",
        classification: "enquiry",
        category: "other",
        rationale: "An enquiry, not an event involving a device; not reportable.",
        investigation: "No investigation needed; the footprint study is under way in the \
                        environmental programme.",
        response: "Sent our estimate and the date the measured figure will be ready.",
        answered_after: 6,
        story: Responded,
        ..BASE
    },
    Complaint {
        days_ago: 14,
        channel: "phone",
        customer: "Northmere General Hospital, ward 7",
        title: "Pump stopped with error E12",
        description: "A pump stopped with error E12 during an infusion.",
        category: "performance",
        severity: "high",
        rationale: "Logged pending the serial number.",
        story: InError,
        reason: "Logged in error: the pump is another maker's (error E12 is not a VP-300 \
                 code); the caller was told whom to contact.",
        ..BASE
    },
    // ---- Tarnside: orthopaedic instruments ----
    Complaint {
        site: TARNSIDE,
        days_ago: 210,
        answered_after: 25,
        channel: "distributor",
        customer: "Linden Park Hospital, orthopaedic theatres",
        contact: "Theatre manager via Orthovance Surgical",
        product: "Reamer RM-8",
        lot: "lot T26418",
        udi: "(01)05065001239003(10)T26418",
        title: "Reamer shank cracked during a knee procedure",
        description: "The reamer's shank cracked while reaming; the surgeon finished with a \
                      spare. All fragments were recovered; no harm to the patient.",
        category: "safety",
        severity: "critical",
        reportable: true,
        rationale: "A fracture in surgery could leave a fragment in the patient or prolong \
                    the operation: reported as a serious incident to the competent \
                    authority although no harm occurred this time.",
        report_reference: "Competent authority VIG-2307",
        investigation: "Hardness of the returned reamer and of stock from the lot below the \
                        drawing; the heat treater's furnace chart for that load showed a low \
                        temperature. Other lots tested and passed.",
        capa: Some("capa:heat-treatment"),
        nc: true,
        response: "Lot recalled from the distributor's stock; replacement reamers supplied; \
                   investigation report sent to the hospital and the authority.",
        satisfaction: Some(3),
        story: Closed,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 160,
        answered_after: 14,
        channel: "distributor",
        customer: "Orthovance Surgical",
        product: "Drill guide DG-45",
        lot: "lot T25873",
        title: "Drill bit loose in the drill guide",
        description: "At the pre-use instrument check the theatre team found the drill bit \
                      moving in the guide's bore; the guide was not used.",
        severity: "high",
        rationale: "Found at the check before use and not used. An oversize of a few \
                    hundredths would still guide the drill within the surgical tolerance, \
                    so no serious harm could have followed. Not reportable.",
        investigation: "Bore measured 3.26 mm against 3.2 +0.03 mm; the reamer had run past \
                        its tool life.",
        capa: Some("capa:tool-life"),
        nc: true,
        response: "Guides from the lot replaced; corrective action explained.",
        satisfaction: Some(4),
        story: Closed,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 35,
        answered_after: 15,
        channel: "email",
        customer: "Wexcombe Orthopaedic Centre, sterile services",
        product: "Bone awl BA-20",
        lot: "lot T27215",
        title: "UDI mark will not scan in the tracking system",
        description: "The data matrix on several awls does not scan in the sterile services \
                      tracking system.",
        category: "labelling",
        severity: "medium",
        rationale: "Traceability problem only; the awls work. Not reportable.",
        investigation: "Marks graded D on our verifier; the marker lens had not been \
                        cleaned on schedule.",
        response: "Awls re-marked and returned; the lot's other awls checked.",
        story: Responded,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 16,
        channel: "phone",
        customer: "Meridian Ortho Supply",
        product: "Retractor RT-12",
        lot: "lot T27490",
        title: "Burr on a retractor blade tore a glove",
        description: "A scrub nurse's glove tore on the edge of a retractor blade during \
                      set-up; no cut.",
        category: "safety",
        severity: "medium",
        rationale: "Glove torn during set-up, no injury; a cut through a glove is not a \
                    serious harm. Not reportable.",
        story: Investigating,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 120,
        answered_after: 6,
        channel: "email",
        customer: "Orthovance Surgical",
        product: "Drill guide DG-45",
        lot: "lot T26102",
        title: "Wrong instructions for use in the box",
        description: "Boxes of drill guides contained the leaflet for the retractors.",
        category: "labelling",
        rationale: "The correct instructions are also on the website and the guides are \
                    familiar to users; no harm possible. Not reportable.",
        investigation: "Look-alike leaflet trays at the packing bench; found at our own \
                        packing check the same week.",
        response: "Correct leaflets sent for every box; trays separated.",
        satisfaction: Some(4),
        story: Closed,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 100,
        answered_after: 28,
        channel: "letter",
        customer: "Wexcombe Orthopaedic Centre, sterile services",
        product: "Reamer RM-8",
        title: "Rust spots on reamers after reprocessing",
        description: "Brown spots on several reamers after a few cycles in the washer.",
        severity: "medium",
        rationale: "Cosmetic, found at inspection after reprocessing; instruments taken out \
                    of use. Not reportable.",
        investigation: "Passivation records of the lots within limits and copper sulphate \
                        tests passed. The customer's new detergent is more alkaline than our \
                        cleaning instructions allow.",
        response: "Explained the cause and the detergents our instructions allow; offered \
                   replacements at cost.",
        satisfaction: Some(2),
        story: Closed,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 11,
        channel: "email",
        customer: "Meridian Ortho Supply",
        product: "Bone awl BA-20",
        title: "Bone awls delivered two weeks late",
        description: "The quarterly order arrived two weeks after the confirmed date.",
        category: "delivery",
        rationale: "No device problem; not reportable.",
        story: Investigating,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 1,
        channel: "email",
        customer: "Linden Park Hospital, sterile services",
        product: "Reamers and drill guides",
        title: "Cleaning validation data for a new washer",
        description: "The hospital is buying a new washer-disinfector and asks for our \
                      cleaning validation data.",
        classification: "enquiry",
        category: "other",
        story: Received,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 70,
        answered_after: 3,
        channel: "sales",
        customer: "Wexcombe Orthopaedic Centre, theatres",
        product: "Bone awl BA-20",
        title: "Surgeons like the new awl handle",
        description: "Surgeons say the new handle gives a better grip with wet gloves.",
        classification: "feedback",
        category: "other",
        rationale: "Feedback, not about a device problem; not reportable.",
        investigation: "No investigation needed; passed to the product manager.",
        response: "Thanked them; asked if they would join the next user evaluation.",
        satisfaction: Some(5),
        story: Closed,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 22,
        channel: "distributor",
        customer: "Orthovance Surgical",
        product: "Retractor RT-12",
        title: "Short delivery of retractors",
        description: "The distributor counted 40 retractors against 50 on the delivery note.",
        category: "delivery",
        rationale: "No device problem; not reportable.",
        story: Withdrawn { classified: true },
        reason: "The distributor found the missing box in their own warehouse.",
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 4,
        channel: "phone",
        customer: "Meridian Ortho Supply",
        product: "Bone awl BA-20",
        lot: "lot T27688",
        title: "Bone awl tip bent in use",
        description: "An awl tip bent while opening the cortex; the surgeon used another awl.",
        category: "safety",
        severity: "high",
        story: Received,
        ..BASE
    },
    Complaint {
        site: TARNSIDE,
        days_ago: 40,
        answered_after: 21,
        channel: "email",
        customer: "Wexcombe Orthopaedic Centre, theatres",
        product: "Reamer RM-8",
        lot: "lot T27003",
        title: "Reamers blunt after a few uses",
        description: "Surgeons say the reamers cut poorly after five or six procedures.",
        category: "performance",
        severity: "medium",
        rationale: "Blunt cutting is noticed at once and the reamer replaced; no harm. Not \
                    reportable.",
        investigation: "Hardness and edge geometry of the returned reamers within drawing. \
                        Wear marks match contact with other instruments in the tray.",
        response: "Explained the findings; sent the tray layout that keeps reamers apart.",
        story: Responded,
        ..BASE
    },
];

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut open = 0;
    let mut previous = None;
    for (i, c) in COMPLAINTS.iter().enumerate() {
        let n = write(d, c, i, previous.as_deref(), &mut open).await?;
        previous = Some(n);
    }
    d.made("complaint", COMPLAINTS.len());
    Ok(())
}

async fn write(
    d: &mut Demo<'_>,
    c: &Complaint,
    i: usize,
    previous: Option<&str>,
    open: &mut usize,
) -> Result<String, Error> {
    let site_crew = crew(c.site);
    let owner = site_crew.workers[0];
    let decider = if c.reportable {
        "marcus"
    } else {
        site_crew.deciders[i % 2]
    };
    let received = d.day(-c.days_ago);
    let due_on = if matches!(c.story, Received | Investigating | Responded | Reopened) {
        *open += 1;
        d.due_for_open(*open)
    } else {
        d.day(-c.days_ago + 30)
    };
    let mut fields = json!({
        "received_on": received,
        "channel": c.channel,
        "customer": c.customer,
        "product": c.product,
        "description": c.description,
    });
    for (k, v) in [("contact", c.contact), ("lot", c.lot), ("udi", c.udi)] {
        if !v.is_empty() {
            fields[k] = json!(v);
        }
    }
    let n = d
        .create(
            owner,
            New {
                kind: "complaint",
                title: c.title,
                owner: Some(owner),
                site: c.site,
                due_on: Some(due_on),
                fields,
                part_of: None,
            },
        )
        .await?;
    if let Some(tag) = c.capa {
        if let Some(capa) = d.tagged(tag).first() {
            d.link(owner, capa, "addresses", &n).await?;
        }
        let ncs = d.tagged(&format!("nc-for:{tag}"));
        if c.nc && !ncs.is_empty() {
            d.link(owner, &n, "relates_to", &ncs[i % ncs.len()]).await?;
        }
    }
    match c.story {
        Received => return Ok(n),
        Duplicate => {
            if let Some(first) = previous {
                d.link(owner, &n, "relates_to", first).await?;
            }
            d.step(decider, &n, "reject", Some(c.reason)).await?;
            return Ok(n);
        }
        Withdrawn { classified: false } => {
            d.step(owner, &n, "withdraw", Some(c.reason)).await?;
            return Ok(n);
        }
        _ => {}
    }
    let mut fields = json!({
        "classification": c.classification,
        "category": c.category,
        "severity": c.severity,
        "reportable": c.reportable,
        "reportability_rationale": c.rationale,
    });
    if !c.report_reference.is_empty() {
        fields["report_reference"] = json!(c.report_reference);
    }
    d.edit(owner, &n, fields).await?;
    d.step(owner, &n, "classify", None).await?;
    match c.story {
        Investigating => {
            if c.reportable {
                d.comment(
                    "marcus",
                    &n,
                    "Report made within the deadline; the pump is on its way back for \
                     testing.",
                )
                .await?;
            }
            return Ok(n);
        }
        InError => {
            d.step(decider, &n, "reject", Some(c.reason)).await?;
            return Ok(n);
        }
        Withdrawn { .. } => {
            d.step(owner, &n, "withdraw", Some(c.reason)).await?;
            return Ok(n);
        }
        _ => {}
    }
    let answered = (-c.days_ago + c.answered_after).min(0);
    d.edit(
        owner,
        &n,
        json!({
            "investigation": c.investigation,
            "capa_needed": c.capa.is_some(),
            "response": c.response,
            "responded_on": d.day(answered),
        }),
    )
    .await?;
    d.step(owner, &n, "respond", None).await?;
    if c.story == Responded {
        return Ok(n);
    }
    if let Some(score) = c.satisfaction {
        d.edit(owner, &n, json!({"satisfaction": score})).await?;
    }
    d.step(decider, &n, "close", None).await?;
    if c.story == Reopened {
        d.step(decider, &n, "reopen", Some(c.reason)).await?;
    }
    Ok(n)
}
