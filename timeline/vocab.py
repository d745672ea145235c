"""Controlled vocabularies: every value a coded field may take, with its definition.

This module is part of the single source of truth (with ``tables.py``): the Frictionless
enums, the pandera checks, the loader's categoricals and the codebook are generated from it.
Values are only ever added; removing one is a breaking (MAJOR) change.
"""

from __future__ import annotations

from typing import NamedTuple


class EventType(NamedTuple):
    definition: str
    category: str
    plover: str | None
    plover_note: str = ""


# Categories group event types into the lanes of the timeline figure.
CATEGORIES: dict[str, str] = {
    "diplomacy": "Meetings, visits, calls and other contacts between the two governments.",
    "treaty": "Milestones of a treaty: signing, ratification, entry into force.",
    "military": "Deployments, transfers of arms, technology or labour, fighting and exercises.",
    "estimate": "The release of a figure (troops, casualties, munitions) by an estimator.",
    "sanctions_un": "Sanctions, their violation, UN actions and international responses.",
    "statement": "Official statements and acknowledgements.",
    "cooperation": "Civil cooperation: infrastructure, transport, trade, tourism and culture.",
}

EVENT_TYPES: dict[str, EventType] = {
    "meeting": EventType("Talks between officials of the two sides or a session of a joint body.",
                         "diplomacy", "CONSULT"),
    "visit": EventType("An official travels to the other country; the visitor is the PLOVER source.",
                       "diplomacy", "CONSULT", "mode: visit"),
    "phone_call": EventType("A telephone or video call between leaders or officials.",
                            "diplomacy", "CONSULT", "mode: phone"),
    "treaty_signing": EventType("Signature of a treaty by the parties.", "treaty", "SUPPORT"),
    "treaty_ratification": EventType(
        "A step in a party's ratification: a parliamentary vote, a law or a decree.",
        "treaty", "SUPPORT"),
    "treaty_entry_into_force": EventType(
        "Exchange of instruments of ratification and the treaty's entry into force.",
        "treaty", "SUPPORT"),
    "deployment": EventType("Armed forces of one side sent to the territory or war of the other.",
                            "military", "AID", "mode: military"),
    "deployment_change": EventType("A deployed force moves, is withdrawn, rotated or returns home.",
                                   "military", "AID", "mode: military"),
    "labor_deployment": EventType("Workers or builders sent to work for the other side.",
                                  "military", "AID", "mode: economic"),
    "arms_transfer": EventType("A delivery of weapons or munitions reported by a government.",
                               "military", "AID", "mode: military"),
    "arms_transfer_evidence": EventType(
        "Physical evidence of transferred weapons, such as missile debris, examined and reported.",
        "military", "INVESTIGATE"),
    "technology_transfer": EventType(
        "Reported transfer of military technology, know-how or systems between the sides.",
        "military", "AID", "mode: military"),
    "military_technology_exposure": EventType(
        "One side shows the other its military plants, bases or equipment.",
        "military", "COOPERATE"),
    "exercise": EventType("A joint exercise, an invitation to observe one, or a proposal to hold one.",
                          "military", "COOPERATE"),
    "combat_engagement": EventType("Fighting involving the deployed forces.", "military", "FIGHT"),
    "capture": EventType("Soldiers of one side captured by their opponent.", "military", "ASSAULT"),
    "troop_estimate": EventType("Release of a figure for troops deployed, planned or expected.",
                                "estimate", "AID",
                                "PLOVER codes the underlying activity (military aid)"),
    "casualty_estimate": EventType("Release of a figure for killed, wounded, captured or casualties.",
                                   "estimate", "FIGHT",
                                   "PLOVER codes the underlying activity (fighting)"),
    "arms_transfer_estimate": EventType(
        "Release of a figure for munitions, missiles or systems delivered, or a share of supply.",
        "estimate", "AID", "PLOVER codes the underlying activity (military aid)"),
    "statement": EventType("A public statement by an official or a government.",
                           "statement", None,
                           "PLOVER codes statements by their content: each statement event names its "
                           "category in the record (plover), such as DISAPPROVE or SUPPORT"),
    "message": EventType("A letter, message or greeting exchanged between the leaderships.",
                         "diplomacy", "CONSULT", "mode: written message"),
    "acknowledgement": EventType("An official admission by Russia or the DPRK of the deployment or its losses.",
                                 "statement", "CONCEDE"),
    "sanctions": EventType("Designations or restrictive measures imposed over the partnership.",
                           "sanctions_un", "SANCTION"),
    "sanctions_violation": EventType("Reported supply in breach of UN sanctions.",
                                     "sanctions_un", "AID", "mode: economic"),
    "un_action": EventType("A vote, veto or meeting of a UN body.", "sanctions_un", "CONSULT",
                           "mode: multilateral; a veto is also REJECT"),
    "international_response": EventType(
        "A joint response by several states outside the UN, such as a monitoring team.",
        "sanctions_un", "DISAPPROVE"),
    "infrastructure_cooperation": EventType("Joint work on civil infrastructure such as a bridge.",
                                            "cooperation", "COOPERATE", "mode: economic"),
    "transport_link": EventType("Opening of a transport link such as a flight or a rail route.",
                                "cooperation", "COOPERATE", "mode: economic"),
    "economic_cooperation": EventType("An agreement, commission decision or step in trade and economic ties.",
                                      "cooperation", "COOPERATE", "mode: economic"),
    "tourism": EventType("Tourist travel between the two countries: groups, resorts, routes.",
                         "cooperation", "COOPERATE", "mode: economic"),
    "cultural_exchange": EventType("Cultural, sport, education or media exchanges between the two sides.",
                                   "cooperation", "COOPERATE", "mode: cultural"),
}

# PLOVER's event categories (the codes an event's plover_category may take).
PLOVER_CATEGORIES: dict[str, str] = {
    "AGREE": "Agree to, or sign, an agreement or a course of action.",
    "CONSULT": "Meet, visit, call or negotiate.",
    "SUPPORT": "Express support for, praise or endorse another actor or its policy.",
    "CONCEDE": "Admit, yield or make a concession.",
    "COOPERATE": "Cooperate in a non-material way (economic, diplomatic, military).",
    "AID": "Provide material aid: military, economic or humanitarian.",
    "RETREAT": "Withdraw, release or de-escalate.",
    "INVESTIGATE": "Investigate, inspect or examine.",
    "DEMAND": "Demand or request that another actor act.",
    "DISAPPROVE": "Criticise, condemn or accuse.",
    "REJECT": "Reject, refuse or veto.",
    "THREATEN": "Threaten or warn of consequences.",
    "SANCTION": "Impose sanctions or other penalties.",
    "PROTEST": "Protest or demonstrate.",
    "MOBILIZE": "Mobilise or put forces on alert.",
    "COERCE": "Coerce: arrest, seize, expel.",
    "ASSAULT": "Use unconventional violence against people.",
    "FIGHT": "Use conventional military force.",
}

DATE_PRECISIONS: dict[str, str] = {
    "day": "date_start (and date_end, if given) are exact days.",
    "month": "Only the month is known: date_start is the 1st and date_end the last day of a month.",
    "year": "Only the year is known: date_start is 1 January and date_end 31 December.",
}

EVENT_STATUSES: dict[str, str] = {
    "active": "A current record.",
    "retracted": "Withdrawn: kept so its id stays resolvable; the reason is in retraction_reason.",
}

CONFIDENCES: dict[str, str] = {
    "high": "Two or more distinct originating agencies, at least one of them a strong source: a wire "
            "service, an official text (government or international_organisation) or the state media of a "
            "state that takes part in the event.",
    "medium": "Two or more distinct originating agencies, none of them strong; or a single originating "
              "agency that is a strong source.",
    "low": "A single originating agency that is not a strong source, or aggregators that name no agency.",
}
# How confidence counts sources (version 2, from release 2.0.0): a source's originating agency is its
# `agency` where the page names one, else its publisher; a reprint of one agency's story counts once,
# and an aggregator that names no agency counts as none. State media are strong only for the acts and
# words of their own state (TASS for Russia's, KCNA for the DPRK's): their `country` must be the country
# of an actor taking part in the event.
CONFIDENCE_RULE_VERSION = 2

TREATY_OBLIGATION_TYPES: dict[str, str] = {
    "defense": "Military or other assistance if a party is attacked (ATOP/COW 'defense'), or peacetime "
               "joint measures to strengthen defence.",
    "consultation": "Consultation when a threat arises, or regular exchanges of views (ATOP 'consultation').",
    "non_aggression": "Not to attack, or join attacks or alliances against, the other party (ATOP "
                      "'non-aggression'; includes no-hostile-alliance clauses).",
    "neutrality": "To stay out of a conflict involving the other party.",
    "cooperation": "Other cooperation undertaken by the parties (security, science, culture).",
    "economic": "Economic undertakings: trade, investment, or joint action against sanctions.",
    "political_alignment": "Alignment of the parties' foreign policies (e.g. support for a multipolar order).",
    "final_clause": "Final clauses: ratification, entry into force, duration, the treaties it replaces.",
}

ESTIMATE_COUNTS: dict[str, str] = {
    "cumulative": "A total up to the as-of date (for example casualties so far, or shells shipped since a start).",
    "current": "The number at the as-of date (for example troops present).",
    "period": "A total within one stated period, from period_start to period_end.",
    "wave": "One deployment or wave (for example a third deployment), as the source delimits it.",
    "forecast": "A plan, expectation or forecast: not yet borne out when stated.",
    "capacity": "A capacity or equivalence (for example the shells a number of containers could hold).",
}

ATTRIBUTIONS: dict[str, str] = {
    "own": "The source is the estimator's own statement or document (its website, report, or its own "
           "state's media carrying its words).",
    "relayed": "A medium relays a figure that it credits to the estimator ('NIS told lawmakers, Yonhap "
               "reports').",
    "medium": "The figure is the medium's own, or credited only to unnamed officials or sources; the "
              "estimator is then the medium or an unnamed_officials actor.",
}

WHERE_PRECISIONS: dict[str, str] = {
    "exact": "The place itself, a city or town in the gazetteer (UCDP GED where_prec 1).",
    "near": "A site in or near the gazetteer place, such as an airfield or a plant (UCDP 2).",
    "admin2": "Only the second-level area is known; placed at a gazetteer entry in it (UCDP 3).",
    "admin1": "Only the first-level area (province, oblast) is known; placed at a gazetteer entry in it "
              "(UCDP 4).",
    "country": "Only the country is known; placed at its capital in the gazetteer (UCDP 6).",
    "sea": "At sea or in international space; placed at the nearest gazetteer entry (UCDP 7).",
}

ACTOR_TYPES: dict[str, str] = {
    "state": (
        "A sovereign state acting as a whole, including when its government, head of state or UN "
        "delegation speaks or acts for it."
    ),
    "person": (
        "A named individual; their office is recorded in the description, not as a separate "
        "actor."
    ),
    "government_body": (
        "A ministry, department, office or other non-military organ of a state or of its ruling "
        "party (not a legislature or intelligence agency)."
    ),
    "intelligence_agency": "A state intelligence or security service.",
    "military_unit": "An armed force, service branch, command or staff body, or a unit or formation of one.",
    "legislature": "A national parliament or one of its chambers.",
    "international_organisation": (
        "A standing intergovernmental organisation or one of its organs (e.g. the EU, the UN "
        "Security Council)."
    ),
    "multinational_group": (
        "An informal or ad hoc grouping of states or their ministers acting jointly (e.g. the G7,"
        " a joint-statement coalition, the MSMT)."
    ),
    "company": "A commercial firm.",
    "non_governmental_organisation": "A non-governmental research or monitoring organisation.",
    "media_outlet": (
        "A news organisation, or the media of a country collectively, when it is itself the "
        "source of a figure or report."
    ),
    "unnamed_officials": (
        "Officials, sources or agencies that the notes describe without naming (or only as a "
        "composite), identified by who they are said to be and the outlet that cites them."
    ),
}

ROLES: dict[str, str] = {
    "host": (
        "Receives a visitor or hosts a meeting, ceremony, parade, exercise or UN session "
        "(including a body in whose session the event takes place)."
    ),
    "visitor": (
        "Travels to, or is received or invited as a guest by, another actor; includes the head of"
        " a travelling delegation."
    ),
    "participant": (
        "Takes part in a meeting, call, summit or ceremony without being its host or visitor "
        "(counterparts, video participants, summit partners)."
    ),
    "caller": "Initiates or holds a phone call with another leader.",
    "signatory": "Signs a treaty, protocol, exchange of instruments or joint statement.",
    "ratifier": "Ratifies a treaty: a legislative vote, a ratification law or a ratification decree.",
    "decision_maker": (
        "Takes or is credited with the decision that an event carries out (e.g. ordering a "
        "deployment)."
    ),
    "speaker": "Makes the statement, announcement, briefing or response that the record reports.",
    "estimator": (
        "States a figure or assessment (troops, casualties, munitions, transfers) in its own "
        "name."
    ),
    "source": (
        "Agency or group whose assessment or confirmation is reported by a third party (media, "
        "another agency)."
    ),
    "relayer": (
        "Passes on another actor's information: a lawmaker relaying an intelligence briefing, or "
        "an outlet reporting what its sources say."
    ),
    "sender": "Supplies or transfers weapons, munitions, technology, goods or people.",
    "recipient": "Receives what is transferred (or uses it), or receives a report addressed to it.",
    "transporter": "Carries people or materiel, or operates the transport link.",
    "target": "The person, firm or body a sanction or other measure is directed at.",
    "sanctioning_authority": "Imposes or adopts sanctions.",
    "sponsor": "Formally sponsors a resolution or founds an initiative or body.",
    "proposer": "Proposes or requests an action, exercise or meeting.",
    "opponent": "Vetoes, votes against or abstains on a measure, withholding support from it.",
    "observer": "Attends an exercise or event as an observer without taking part.",
    "combatant": "Force engaged in fighting in the event.",
    "captor": "Force that captures enemy personnel.",
    "captive": "Person captured and held by an opposing party (e.g. a prisoner of war).",
    "investigator": "Examines evidence or interrogates (e.g. missile debris, captured soldiers).",
    "deployed_force": "Military force or unit deployed abroad, moved, or returning from a deployment.",
    "recruiter": "Recruits or organises the dispatch of workers or personnel.",
}

SOURCE_KINDS: dict[str, str] = {
    "wire": (
        "News agency whose main product is copy syndicated to other media, and which is privately"
        " owned, cooperative, or public with legal or established editorial independence (e.g. "
        "Reuters, AP, AFP, Yonhap, Kyodo, EFE, Interfax, Interfax-Ukraine, UNN, News1). State-"
        "owned agencies run as an organ of their government are state_media, not wire."
    ),
    "state_media": (
        "Outlet of any format (news agency, broadcaster, website) owned and editorially "
        "controlled by a government, with no legal or de facto editorial independence, acting as "
        "that government's official or external voice (e.g. KCNA, Rodong Sinmun, TASS, RT, "
        "Sputnik, KUNA, TRT World, Mehr News). Public ownership alone does not qualify: Yonhap, "
        "AFP, EFE, KBS, DW, RFA and Polskie Radio are classed by function."
    ),
    "newspaper": (
        "Publisher of a daily or weekly newspaper, or an outlet that began as one, including its "
        "website and English edition, even if its print edition has since stopped (e.g. The Japan"
        " News, The Korea Herald, Korea JoongAng Daily, The Independent, The Moscow Times, "
        "Politico Europe)."
    ),
    "broadcaster": (
        "Television or radio broadcaster, including its news website and international service, "
        "not under direct government editorial control (e.g. CNN, KBS, DW, RFA, WION, i24NEWS, Al"
        " Arabiya, local US TV stations)."
    ),
    "news_site": (
        "Digital-native news outlet with its own editorial staff and no print or broadcast origin"
        " (e.g. Kyiv Independent, Ukrainska Pravda, Babel, NK News, RBC-Ukraine, Daily Maverick, "
        "The Daily Beast)."
    ),
    "magazine": (
        "General-interest or specialist periodical (news magazine, defence or aviation trade "
        "press), in print or online (e.g. Spotlight Nepal, Army Recognition, AeroTime)."
    ),
    "think_tank": "Research institute or policy centre publishing its own analysis (e.g. CSIS).",
    "government": (
        "Official website or publication of a government body, parliament or armed service (e.g. "
        "the State Duma site, the US Indo-Pacific Command's Indo-Pacific Defense Forum)."
    ),
    "international_organisation": (
        "Official website or publication of an intergovernmental organisation (e.g. UN press "
        "releases)."
    ),
    "aggregator": (
        "Site whose page reprints, mirrors, proxies or lightly rewrites text first published "
        "elsewhere, with little or no original reporting: wire-feed portals (MENAFN, "
        "Devdiscourse, Yahoo News, finanznachrichten.de), reprint and mirror sites (news-pravda, "
        "NewsXtream, WiredGov, KCNA Watch, web proxies), content-farm rewrites, and blog or forum"
        " reposts."
    ),
}

# The confidence rule counts these as "a wire service or an official text" ...
STRONG_SOURCE_KINDS = frozenset({"wire", "state_media", "government", "international_organisation"})
# ... and these as no independent source at all.
WEAK_SOURCE_KINDS = frozenset({"aggregator"})

MEASURES: dict[str, tuple[str, str]] = {  # measure -> (definition, unit)
    "killed": (
        "DPRK military personnel killed (dead) in Russia's war against Ukraine, as stated by the "
        "estimator; excludes wounded.",
        "people",
    ),
    "wounded": (
        "DPRK military personnel wounded or injured, as stated; excludes killed.",
        "people",
    ),
    "killed_and_wounded": (
        "DPRK military personnel killed or wounded combined, where the source explicitly says "
        "'killed or wounded', 'killed and wounded' or 'killed or injured'.",
        "people",
    ),
    "casualties": (
        "DPRK military casualties or losses as a single total, exactly as the source states it "
        "('casualties', 'losses'), without the source saying which categories it covers.",
        "people",
    ),
    "share_deployed_killed_or_wounded": (
        "Share of deployed DPRK troops killed or wounded, as a percentage of the deployed force the"
        " source refers to.",
        "percent",
    ),
    "captured": (
        "DPRK military personnel taken prisoner by Ukrainian forces.",
        "people",
    ),
    "wounded_repatriated": (
        "Wounded DPRK military personnel evacuated from Russia back to the DPRK.",
        "people",
    ),
    "remains_repatriated": (
        "Remains of DPRK personnel killed in the war returned to the DPRK, counted as coffins shown"
        " or received.",
        "coffins",
    ),
    "troops_deployed": (
        "DPRK military personnel (combat troops, special forces, engineers, military construction "
        "troops) reported as already sent to, present in, or moved within Russia: a current or "
        "cumulative figure, or one wave or sub-group as given in scope.",
        "people",
    ),
    "troops_planned_or_expected": (
        "DPRK military personnel that a source says are planned, decided, being prepared, "
        "announced, en route or expected to be sent to Russia but not yet confirmed as deployed; "
        "forecasts and additional deployments.",
        "people",
    ),
    "deployment_duration": (
        "Length of a DPRK unit's deployment in Russia.",
        "days",
    ),
    "workers_deployed": (
        "DPRK civilian workers (labourers) sent to work in Russia.",
        "people",
    ),
    "workers_planned_or_expected": (
        "DPRK civilian workers that Russia or the DPRK is reported to plan, consider or recruit to "
        "send, not yet confirmed as sent.",
        "people",
    ),
    "artillery_shells_delivered": (
        "Artillery shells delivered by the DPRK to Russia, as stated or as estimated from container"
        " counts and capacity (see basis).",
        "shells",
    ),
    "artillery_rounds_delivered": (
        "Artillery shells and multiple-rocket-launcher rockets delivered by the DPRK to Russia, "
        "counted together.",
        "rounds",
    ),
    "containers_delivered": (
        "Shipping containers of munitions or military materiel sent by the DPRK to Russia.",
        "containers",
    ),
    "ballistic_missiles_delivered": (
        "Ballistic missiles (incl. short-range KN-23/KN-24 type) delivered by the DPRK to Russia.",
        "missiles",
    ),
    "self_propelled_howitzers_delivered": (
        "Self-propelled guns/howitzers (e.g. 170mm M1989 Koksan) delivered by the DPRK to Russia.",
        "systems",
    ),
    "multiple_rocket_launchers_delivered": (
        "Multiple rocket launcher systems (e.g. 240mm M1991) delivered by the DPRK to Russia.",
        "systems",
    ),
    "artillery_systems_delivered": (
        "Artillery systems of mixed or unstated type (e.g. 'long-range artillery', 'heavy artillery"
        " pieces') delivered by the DPRK to Russia.",
        "systems",
    ),
    "share_russian_artillery_shells_from_dprk": (
        "Share of the artillery shells Russia uses in its war against Ukraine that come from the "
        "DPRK.",
        "percent",
    ),
    "share_russian_ammunition_from_dprk": (
        "Share of Russia's ammunition or munitions (not specified as artillery shells only) used in"
        " its war against Ukraine that comes from the DPRK.",
        "percent",
    ),
    "ballistic_missiles_fired": (
        "DPRK-made ballistic missiles fired by Russia at Ukraine.",
        "missiles",
    ),
    "missile_debris_examined": (
        "DPRK-made missiles fired at Ukraine whose debris was recovered and examined by Ukrainian "
        "investigators.",
        "missiles",
    ),
    "share_missiles_failed_in_flight": (
        "Share of DPRK-made missiles fired at Ukraine that lost their trajectory or exploded in the"
        " air.",
        "percent",
    ),
    "killed_by_dprk_missiles": (
        "People (mostly civilians) killed in Ukraine by DPRK-made missiles fired by Russia.",
        "people",
    ),
    "injured_by_dprk_missiles": (
        "People injured in Ukraine by DPRK-made missiles fired by Russia.",
        "people",
    ),
    "share_ukrainian_losses_from_dprk_artillery": (
        "Share of Ukrainian losses (of the unit or force the source names) attributed to DPRK-"
        "supplied artillery or shells.",
        "percent",
    ),
    "air_defence_systems_delivered_to_dprk": (
        "Air-defence systems or combat vehicles (e.g. Pantsir) transferred by Russia to the DPRK.",
        "systems",
    ),
    "submarine_modules_delivered_to_dprk": (
        "Nuclear-submarine modules or components reported as supplied by Russia to the DPRK.",
        "modules",
    ),
    "oil_delivered_to_dprk": (
        "Oil or refined petroleum products supplied by Russia to the DPRK.",
        "barrels",
    ),
    "bilateral_trade_turnover": (
        "Value of Russia-DPRK trade turnover (exports plus imports).",
        "USD",
    ),
    "individuals_designated": (
        "Individuals newly designated (listed) in one sanctions action by the sanctioning authority"
        " named as estimator.",
        "people",
    ),
    "entities_designated": (
        "Entities newly designated (listed) in one sanctions action by the sanctioning authority "
        "named as estimator.",
        "entities",
    ),
    "individuals_and_entities_designated": (
        "Individuals and entities newly designated in one sanctions action, where only the combined"
        " total is given.",
        "designations",
    ),
    "unsc_votes_in_favour": (
        "UN Security Council members voting in favour of a draft resolution.",
        "votes",
    ),
}

UNITS: dict[str, str] = {
    "people": (
        "Individual human beings: soldiers, troops, personnel, engineers, workers, civilians,"
        " or natural persons named in a sanctions listing. Replaces the notes' troops, "
        "soldiers, persons, personnel and workers."
    ),
    "shells": (
        "Artillery shells (tube-artillery projectiles) as stated, including 152mm-equivalent "
        "counts derived from container capacity."
    ),
    "rounds": (
        "Artillery and rocket rounds counted together (tube-artillery shells plus multiple-"
        "rocket-launcher rockets), where the source does not separate them."
    ),
    "containers": "Standard shipping containers of munitions or military materiel.",
    "missiles": (
        "Individual missiles (ballistic missiles, launched or delivered, or missiles whose "
        "debris was examined)."
    ),
    "systems": (
        "Individual weapon systems: guns, howitzers, rocket launchers, artillery pieces, or "
        "air-defence combat vehicles."
    ),
    "modules": (
        "Large prefabricated submarine sections or components (e.g. reactor, turbine, cooling"
        " module)."
    ),
    "percent": "Percentage (0-100) of the stated reference total.",
    "barrels": "Barrels of oil or refined petroleum products (1 barrel = 159 litres).",
    "USD": "United States dollars, nominal.",
    "entities": (
        "Legal entities (companies, banks, state bodies, vessels' owners) named in a "
        "sanctions listing."
    ),
    "designations": (
        "Sanctions listings counting individuals and entities together, where the source "
        "gives only the combined total."
    ),
    "votes": "Votes cast by members of the UN Security Council.",
    "coffins": "Coffins shown or received in a repatriation of remains.",
    "days": "Calendar days.",
}

ROW_CHANGES: dict[str, str] = {
    "added": "The row first appears in this version.",
    "modified": "Values of the row changed in this version; `fields` lists which.",
    "retracted": "The record was withdrawn in this version: its status became retracted; its id stays.",
    "removed": "The row is gone from this version (only rows without a stable id, such as a citation).",
}

VOCABULARIES: dict[str, dict] = {
    "event_type": EVENT_TYPES,
    "category": CATEGORIES,
    "date_precision": DATE_PRECISIONS,
    "status": EVENT_STATUSES,
    "confidence": CONFIDENCES,
    "actor_type": ACTOR_TYPES,
    "role": ROLES,
    "source_kind": SOURCE_KINDS,
    "measure": MEASURES,
    "unit": UNITS,
    "obligation_type": TREATY_OBLIGATION_TYPES,
    "plover_category": PLOVER_CATEGORIES,
    "estimate_counts": ESTIMATE_COUNTS,
    "attribution": ATTRIBUTIONS,
    "where_precision": WHERE_PRECISIONS,
    "change": ROW_CHANGES,
}


def definition(vocabulary: str, value: str) -> str:
    """The definition of one value of a vocabulary."""
    entry = VOCABULARIES[vocabulary][value]
    return entry if isinstance(entry, str) else entry[0]
