//! The demo's nonconformities: product, process, supplier and environmental problems found at
//! both sites over the past eighteen months — the older ones closed with a signed
//! verification, the recent ones still being contained or investigated, with due dates
//! overdue, due today, soon and later. Problems that keep coming back are tagged for the
//! corrective action that answers them (see `capa.rs`).

use serde_json::json;

use super::org::{BROOKFIELD, TARNSIDE, crew};
use super::{Demo, New};
use crate::Error;

struct Nc {
    site: &'static str,
    severity: &'static str,
    source: &'static str,
    product: &'static str,
    title: &'static str,
    description: &'static str,
    containment: &'static str,
    root_cause: &'static str,
    correction: &'static str,
    disposition: &'static str,
    /// How many times it happened.
    times: usize,
    /// The tag of the corrective action that answers it, if one does.
    capa: Option<&'static str>,
}

const NCS: &[Nc] = &[
    Nc {
        site: BROOKFIELD,
        severity: "major",
        source: "product",
        product: "VP-300 administration set",
        title: "Administration sets failing the leak test at the luer connector",
        description: "Sets from the lot failed the pressure-decay test at the female luer. \
                      The leak is between the luer body and the tubing bond.",
        containment: "Lot placed on hold in the quarantine cage; the previous two lots were \
                      checked on a sample of 50 and passed.",
        root_cause: "UV adhesive cure time too short after the lamp was replaced with a \
                     weaker model.",
        correction: "Cure time raised to 12 s; affected sets re-bonded and retested.",
        disposition: "rework",
        times: 10,
        capa: Some("capa:luer-bond"),
    },
    Nc {
        site: BROOKFIELD,
        severity: "minor",
        source: "process",
        product: "Label printing",
        title: "Label printed with the wrong expiry format",
        description: "Line clearance found labels with the expiry date in day-month order \
                      instead of the ISO order the label specification requires.",
        containment: "Roll of printed labels removed and destroyed; printer template locked.",
        root_cause: "The template was edited on the printer rather than released through \
                     change control.",
        correction: "Template restored from the released master; labels reprinted.",
        disposition: "scrap",
        times: 6,
        capa: Some("capa:label-template"),
    },
    Nc {
        site: BROOKFIELD,
        severity: "major",
        source: "product",
        product: "VP-300 pump",
        title: "Pump flow rate above tolerance at 1 ml/h",
        description: "Gravimetric test gave 1.08 ml/h against a limit of 1.05 ml/h at the \
                      lowest rate.",
        containment: "Pump quarantined; the four pumps tested on the same bench that day \
                      were retested on a second bench and passed.",
        root_cause: "Balance draft shield left open; readings drifted with the air flow from \
                     the new extraction arm.",
        correction: "Shield closed, balance checked with weights, pump retested and passed.",
        disposition: "use_as_is",
        times: 6,
        capa: Some("capa:flow-bench"),
    },
    Nc {
        site: BROOKFIELD,
        severity: "minor",
        source: "internal_audit",
        product: "Cleanroom",
        title: "Cleanroom pressure differential records incomplete",
        description: "Weekend readings of the pressure differential were missing for three \
                      weekends in a row.",
        containment: "Data logger history checked: the differential stayed within limits \
                      throughout.",
        root_cause: "Weekend readings were on nobody's task list after the rota changed.",
        correction: "Logger alarms now go to the on-call phone; rota updated.",
        disposition: "not_applicable",
        times: 4,
        capa: None,
    },
    Nc {
        site: BROOKFIELD,
        severity: "major",
        source: "supplier",
        product: "PCBA main board",
        title: "Main boards received with the wrong firmware version",
        description: "Incoming test found boards loaded with firmware 2.3.1; the purchase \
                      order calls for 2.4.0.",
        containment: "Delivery held in goods-in; boards already issued to the line recalled \
                      from the kanban.",
        root_cause: "Supplier programmed from an old work order; the firmware change was not \
                     flowed to their programming station.",
        correction: "Boards reprogrammed on site under a deviation and fully retested.",
        disposition: "rework",
        times: 8,
        capa: Some("capa:supplier-firmware"),
    },
    Nc {
        site: BROOKFIELD,
        severity: "minor",
        source: "process",
        product: "ESD control",
        title: "Wrist strap check not recorded at shift start",
        description: "Three operators had no wrist strap test logged for the shift.",
        containment: "Straps tested at once and passed; the boards they handled were \
                      functionally tested again.",
        root_cause: "The tester was moved during the bench re-layout and was no longer at \
                     the entrance.",
        correction: "Tester fixed back at the entrance; log sheet next to it.",
        disposition: "use_as_is",
        times: 6,
        capa: None,
    },
    Nc {
        site: BROOKFIELD,
        severity: "critical",
        source: "customer_complaint",
        product: "VP-300 pump",
        title: "Occlusion alarm late on a pump returned from a hospital",
        description: "A hospital reported the occlusion alarm sounding later than expected. \
                      On test the alarm took 95 s at the middle rate against a limit of 60 s.",
        containment: "Pumps of the same build week traced; the ones still in stock were \
                      tested and passed; the customer was given a loan pump.",
        root_cause: "Pressure sensor offset drifted after a drop; the sensor mount allowed \
                     movement under shock.",
        correction: "Sensor replaced and the pump recalibrated; the hospital was informed.",
        disposition: "repair",
        times: 4,
        capa: Some("capa:sensor-mount"),
    },
    Nc {
        site: BROOKFIELD,
        severity: "minor",
        source: "external_audit",
        product: "Training records",
        title: "Training on the revised assembly instruction not recorded for two people",
        description: "The notified body auditor sampled two assemblers working to the new \
                      revision of the assembly instruction with no training record for it.",
        containment: "Both trained and assessed the same day; their work since the revision \
                      was reviewed against the device history records.",
        root_cause: "Acknowledging a revision was taken as training where the change needed \
                     hands-on instruction.",
        correction: "Training records completed; change control now says which changes need \
                     training rather than reading.",
        disposition: "not_applicable",
        times: 2,
        capa: None,
    },
    Nc {
        site: BROOKFIELD,
        severity: "minor",
        source: "incident",
        product: "Solder station",
        title: "Solder dross put in the general waste bin",
        description: "Dross from the selective solder pot was found in the general waste \
                      bin instead of the hazardous waste drum.",
        containment: "Bin bag removed, dross moved to the hazardous waste drum.",
        root_cause: "No labelled drum near the solder pot after the line was moved.",
        correction: "Labelled drum placed beside the pot; operators briefed.",
        disposition: "not_applicable",
        times: 4,
        capa: Some("capa:waste-segregation"),
    },
    Nc {
        site: BROOKFIELD,
        severity: "major",
        source: "product",
        product: "Battery pack",
        title: "Battery packs stored above the allowed temperature",
        description: "The storeroom logger showed 34 °C for six hours during the heatwave; \
                      packs are to be kept below 30 °C.",
        containment: "Packs moved to the air-conditioned store; capacity tested on a sample.",
        root_cause: "Storeroom has no cooling and no high-temperature alarm.",
        correction: "Packs passed the capacity test and were released; portable cooling \
                     fitted until the store is moved.",
        disposition: "use_as_is",
        times: 4,
        capa: None,
    },
    Nc {
        site: BROOKFIELD,
        severity: "minor",
        source: "process",
        product: "Device history record",
        title: "Device history record missing the second label check signature",
        description: "Record reviewed at release had the label check signed by one person \
                      only.",
        containment: "Labels of the lot checked again by a second person before release.",
        root_cause: "The second check is easy to skip when the line runs one-handed.",
        correction: "Second check done and signed; supervisor briefed.",
        disposition: "use_as_is",
        times: 8,
        capa: Some("capa:label-template"),
    },
    Nc {
        site: TARNSIDE,
        severity: "major",
        source: "product",
        product: "Drill guide DG-45",
        title: "Drill guide bore oversize",
        description: "Final inspection found the 3.2 mm bore at 3.26 mm on 7 of 32 guides; \
                      the tolerance is +0.03 mm.",
        containment: "Lot held; work in progress on the same machine checked 100 %.",
        root_cause: "Reamer used beyond its tool life; the tool counter was reset by mistake \
                     at the last set-up.",
        correction: "Reamer replaced; oversize guides scrapped; tool counter locked to the \
                     set-up sheet.",
        disposition: "scrap",
        times: 10,
        capa: Some("capa:tool-life"),
    },
    Nc {
        site: TARNSIDE,
        severity: "minor",
        source: "product",
        product: "Bone awl BA-20",
        title: "Laser-marked data matrix below grade C",
        description: "Verifier graded the UDI data matrix D on several awls; C or better is \
                      required.",
        containment: "Lot held; marks verified on every part.",
        root_cause: "Lens dirty; the cleaning interval was not set after the marker moved to \
                     the new enclosure.",
        correction: "Lens cleaned, parts re-marked in a blank area approved by design.",
        disposition: "rework",
        times: 8,
        capa: None,
    },
    Nc {
        site: TARNSIDE,
        severity: "major",
        source: "process",
        product: "Passivation line",
        title: "Passivation bath concentration below its limit",
        description: "Weekly analysis gave 3.1 % citric acid against a lower limit of 4 %.",
        containment: "Line stopped; the lots passivated since the last good result held for \
                      a copper sulphate test.",
        root_cause: "Top-up calculated from the old bath volume after the tank was replaced \
                     with a larger one.",
        correction: "Bath made up to strength; held lots tested and passed.",
        disposition: "use_as_is",
        times: 6,
        capa: Some("capa:passivation-bath"),
    },
    Nc {
        site: TARNSIDE,
        severity: "minor",
        source: "internal_audit",
        product: "Height gauge HG-07",
        title: "Height gauge used past its calibration date",
        description: "Audit found a height gauge in use one month past its calibration due \
                      date.",
        containment: "Gauge withdrawn and calibrated; found within tolerance, so no product \
                      was affected.",
        root_cause: "Gauge missing from the recall list after it moved between cells.",
        correction: "Recall list rebuilt from a physical count of all gauges.",
        disposition: "not_applicable",
        times: 6,
        capa: Some("capa:gauge-recall"),
    },
    Nc {
        site: TARNSIDE,
        severity: "minor",
        source: "incident",
        product: "CNC cell 3",
        title: "Coolant spill at CNC cell 3",
        description: "About 20 litres of coolant leaked from a split hose onto the floor; \
                      some reached the floor drain cover.",
        containment: "Spill kit used, drain covered, the site drain interceptor checked: no \
                      coolant had passed it.",
        root_cause: "Hose older than its replacement interval; no interval was set for it.",
        correction: "Hose replaced; hoses of all cells inspected.",
        disposition: "not_applicable",
        times: 6,
        capa: Some("capa:coolant-hoses"),
    },
    Nc {
        site: TARNSIDE,
        severity: "minor",
        source: "internal_audit",
        product: "Swarf bins",
        title: "Stainless and titanium swarf mixed in one bin",
        description: "Titanium swarf was found in the stainless swarf bin, which lowers its \
                      value and its recycling route.",
        containment: "Bin set aside for the recycler to sort at our cost.",
        root_cause: "Bins not labelled by alloy at cell 5 after it started titanium work.",
        correction: "Labelled bins at every cell; swarf routes added to the set-up sheet.",
        disposition: "not_applicable",
        times: 4,
        capa: Some("capa:waste-segregation"),
    },
    Nc {
        site: TARNSIDE,
        severity: "major",
        source: "supplier",
        product: "Bar stock 17-4PH",
        title: "Bar stock certificate does not match the heat number",
        description: "The mill certificate with the delivery names a heat number different \
                      from the one stamped on the bars.",
        containment: "Bars quarantined; the supplier asked for the right certificate.",
        root_cause: "The distributor sent the certificate of another delivery.",
        correction: "Correct certificate received and checked against the bars.",
        disposition: "use_as_is",
        times: 6,
        capa: None,
    },
    Nc {
        site: TARNSIDE,
        severity: "minor",
        source: "product",
        product: "Retractor RT-12",
        title: "Retractor blades with residual burrs after tumbling",
        description: "Burrs found on the blade edge of retractors after the tumbling cycle.",
        containment: "Lot held and every blade inspected under magnification.",
        root_cause: "Media worn below its size limit; the media check was not recorded.",
        correction: "Media replaced; blades re-tumbled and inspected.",
        disposition: "rework",
        times: 6,
        capa: None,
    },
    Nc {
        site: TARNSIDE,
        severity: "critical",
        source: "customer_complaint",
        product: "Reamer RM-8",
        title: "Reamer shank cracked in use",
        description: "A hospital returned a reamer whose shank cracked during surgery; no \
                      patient harm was reported.",
        containment: "Instruments of the same heat and lot traced to customers; stock \
                      quarantined; vigilance assessment started.",
        root_cause: "Heat treatment furnace at the subcontractor ran below temperature for \
                     one load; hardness not tested on that load.",
        correction: "Field safety notice assessed as not required after testing the lot; \
                     stock scrapped.",
        disposition: "scrap",
        times: 2,
        capa: Some("capa:heat-treatment"),
    },
    Nc {
        site: TARNSIDE,
        severity: "minor",
        source: "process",
        product: "Packing",
        title: "Instruments packed with the wrong instructions for use leaflet",
        description: "Packing check found the leaflet of a different product family in the \
                      boxes.",
        containment: "Boxes opened and repacked with the right leaflet.",
        root_cause: "Leaflets of two families stored in look-alike trays at the bench.",
        correction: "Trays labelled and separated; line clearance checklist updated.",
        disposition: "rework",
        times: 4,
        capa: None,
    },
    Nc {
        site: TARNSIDE,
        severity: "minor",
        source: "internal_audit",
        product: "Chemical store",
        title: "Chemical store bund holding rainwater",
        description: "The outside bund of the chemical store had rainwater standing in it, \
                      reducing its capacity.",
        containment: "Bund pumped out to the interceptor after checking the water was clean.",
        root_cause: "The bund cover had blown off and nobody checks the bund after storms.",
        correction: "Cover refitted and tied down; bund check added to the weekly site walk.",
        disposition: "not_applicable",
        times: 4,
        capa: None,
    },
    Nc {
        site: "",
        severity: "minor",
        source: "internal_audit",
        product: "Supplier evaluation",
        title: "Supplier re-evaluations overdue",
        description: "Four approved suppliers were past their re-evaluation date.",
        containment: "Deliveries from the four checked: no quality issues in the period.",
        root_cause: "Re-evaluation dates kept in a spreadsheet nobody owned after a \
                     colleague left.",
        correction: "Re-evaluations done; dates moved to the supplier register with an \
                     owner.",
        disposition: "not_applicable",
        times: 4,
        capa: None,
    },
    Nc {
        site: "",
        severity: "major",
        source: "external_audit",
        product: "Complaint handling",
        title: "Complaints not assessed for reportability within the set time",
        description: "Two complaints in the sample had the reportability decision recorded \
                      weeks after receipt.",
        containment: "All open complaints reviewed for reportability within two days.",
        root_cause: "The decision waited for the investigation to finish instead of being \
                     taken on receipt.",
        correction: "Decisions recorded for every open complaint.",
        disposition: "not_applicable",
        times: 2,
        capa: Some("capa:reportability"),
    },
];

/// Comments people leave while working a nonconformity.
const NOTES: &[&str] = &[
    "Photos of the parts are on the shared drive under the lot number; will attach when the \
     attachment limit is raised.",
    "Supplier informed by phone; written reply expected by Friday.",
    "Spoke to the shift lead: the same thing was seen last month but not recorded.",
    "Quarantine label checked at the cage this morning, stock untouched.",
    "Checked the risk file: this failure mode is covered and the estimate still holds.",
];

/// One occurrence: which problem, how long ago it was found.
struct Occurrence {
    nc: &'static Nc,
    times: usize,
    found: i64,
}

pub(super) async fn add(d: &mut Demo<'_>) -> Result<(), Error> {
    let mut all = Vec::new();
    for nc in NCS {
        for k in 0..nc.times {
            // Spread over the past eighteen months, half of them in the last quarter: the
            // recent ones are the ones still being worked.
            let found = if k % 2 == 0 {
                d.between(1, 540)
            } else {
                d.between(1, 90)
            };
            all.push(Occurrence {
                nc,
                times: k,
                found,
            });
        }
    }
    // Numbered in the order they were found, oldest first.
    all.sort_by_key(|o| std::cmp::Reverse(o.found));
    let mut open = 0;
    for (i, o) in all.iter().enumerate() {
        write(d, o, i, &mut open).await?;
    }
    d.made("nonconformity", all.len());
    Ok(())
}

async fn write(d: &mut Demo<'_>, o: &Occurrence, i: usize, open: &mut usize) -> Result<(), Error> {
    let nc = o.nc;
    let site_crew = crew(if nc.site.is_empty() {
        BROOKFIELD
    } else {
        nc.site
    });
    let owner = site_crew.workers[i % 2];
    let owner = if nc.site.is_empty() { "rafael" } else { owner };
    let reporter = match nc.source {
        "internal_audit" => ["grace", "daniel"][i % 2],
        "external_audit" | "customer_complaint" => "marcus",
        _ => owner,
    };
    let decider = if nc.site.is_empty() {
        "marcus"
    } else {
        site_crew.deciders[i % 2]
    };
    // What it reaches: the older it is, the further along.
    let target = match o.found {
        f if f > 150 => 3,
        f if f > 90 => 2 + usize::from(!i.is_multiple_of(4)),
        f if f > 40 => 1 + (i % 3).min(1) + usize::from(i.is_multiple_of(5)),
        f if f > 15 => i % 3,
        _ => usize::from(i.is_multiple_of(3)),
    };
    let found_on = d.day(-o.found);
    let due_on = if target < 3 {
        *open += 1;
        d.due_for_open(*open)
    } else {
        d.day(-o.found + 30)
    };
    let lot = match nc.site {
        TARNSIDE => format!("lot T{}", 24_000 + d.between(100, 9_899)),
        BROOKFIELD => format!("lot B{}", 31_000 + d.between(100, 9_899)),
        _ => format!("ref Q-{}", 100 + d.between(0, 899)),
    };
    let title = format!("{} ({lot})", nc.title);
    let n = d
        .create(
            reporter,
            New {
                kind: "nonconformity",
                title: &title,
                owner: Some(owner),
                site: nc.site,
                due_on: Some(due_on),
                fields: json!({
                    "severity": nc.severity,
                    "description": format!("Found on {found_on}. {}", nc.description),
                    "source": nc.source,
                    "product_or_process": nc.product,
                }),
                part_of: None,
            },
        )
        .await?;
    if let Some(tag) = nc.capa {
        d.tag(format!("nc-for:{tag}"), &n);
    }
    if o.times > 0 && i.is_multiple_of(3) {
        d.comment(
            owner,
            &n,
            "Seen before: see the earlier nonconformities with the same title.",
        )
        .await?;
    }
    if target == 0 {
        return Ok(());
    }
    d.edit(owner, &n, json!({"containment": nc.containment}))
        .await?;
    d.step(owner, &n, "contain", None).await?;
    if i % 4 == 1 {
        let note = *d.pick(NOTES);
        d.comment(owner, &n, note).await?;
    }
    if target == 1 {
        return Ok(());
    }
    d.edit(
        owner,
        &n,
        json!({"root_cause": nc.root_cause, "correction": nc.correction}),
    )
    .await?;
    d.step(owner, &n, "investigate", None).await?;
    if target == 2 {
        return Ok(());
    }
    d.edit(owner, &n, json!({"disposition": nc.disposition}))
        .await?;
    d.step(decider, &n, "close", None).await?;
    Ok(())
}
