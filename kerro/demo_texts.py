"""The demo organisation's words: units, goals with their levels, and what clients write.

Everything here is invented. Clients have pseudonyms (nicknames) and case references that
look like no real identifier; staff names are common Finnish names, made up.
"""

from __future__ import annotations

from dataclasses import dataclass

Levels = dict[str, str]


@dataclass(frozen=True, slots=True)
class GoalText:
    title: str
    levels: Levels


def _levels(much_worse: str, worse: str, expected: str, better: str, much_better: str) -> Levels:
    return {"-2": much_worse, "-1": worse, "0": expected, "1": better, "2": much_better}


SCHOOL = GoalText(
    "Käyn koulussa joka päivä",
    _levels(
        "En käy koulussa lainkaan",
        "Käyn koulussa muutamana päivänä viikossa",
        "Käyn koulussa lähes joka päivä",
        "Käyn koulussa joka päivä",
        "Käyn koulussa joka päivä ja teen läksyt",
    ),
)
SLEEP = GoalText(
    "Nukun tarpeeksi",
    _levels(
        "Nukun alle viisi tuntia yössä",
        "Nukun viidestä kuuteen tuntia yössä",
        "Nukun noin seitsemän tuntia yössä",
        "Nukun kahdeksan tuntia useimpina öinä",
        "Nukun kahdeksan tuntia joka yö ja herään virkeänä",
    ),
)
GOALS_YOUNG_ADULT = (
    GoalText(
        "Löydän oman asunnon",
        _levels(
            "En ole hakenut asuntoa",
            "Olen selvittänyt vaihtoehtoja",
            "Olen jättänyt asuntohakemuksen",
            "Olen käynyt katsomassa asuntoja",
            "Olen muuttanut omaan asuntoon",
        ),
    ),
    GoalText(
        "Hoidan raha-asiani itse",
        _levels(
            "Laskuja on jäänyt maksamatta",
            "Maksan laskut myöhässä",
            "Maksan laskut ajallaan",
            "Maksan laskut ajallaan ja teen budjetin",
            "Säästän vähän joka kuukausi",
        ),
    ),
    GoalText(
        "Aloitan opiskelun",
        _levels(
            "En ole hakenut opiskelemaan",
            "Olen tutustunut vaihtoehtoihin",
            "Olen hakenut opiskelemaan",
            "Olen saanut opiskelupaikan",
            "Olen aloittanut opinnot",
        ),
    ),
    GoalText(
        "Liikun säännöllisesti",
        _levels(
            "En liiku lainkaan",
            "Liikun kerran viikossa",
            "Liikun kaksi kertaa viikossa",
            "Liikun kolme kertaa viikossa",
            "Liikun lähes joka päivä",
        ),
    ),
    SLEEP,
)
GOALS_YOUTH = (
    SCHOOL,
    SLEEP,
    GoalText(
        "Pidän yhteyttä kavereihin",
        _levels(
            "En näe kavereita",
            "Näen kavereita harvoin",
            "Näen kavereita kerran viikossa",
            "Näen kavereita monta kertaa viikossa",
            "Minulla on hyviä kavereita, joita näen usein",
        ),
    ),
    GoalText(
        "Sovin riidat kotona puhumalla",
        _levels(
            "Riitelen kotona joka päivä",
            "Riitelen kotona useimpina päivinä",
            "Riitoja on pari kertaa viikossa",
            "Riitoja on harvoin",
            "Riidat selviävät puhumalla",
        ),
    ),
)
GOALS_CHILD = (
    GoalText(
        "Käyn harrastuksessa",
        _levels(
            "En käy harrastuksessa",
            "Käyn harrastuksessa joskus",
            "Käyn harrastuksessa kerran viikossa",
            "Käyn harrastuksessa joka viikko mielelläni",
            "Käyn harrastuksessa ja olen saanut sieltä kavereita",
        ),
    ),
    GoalText(
        "Uskallan kertoa, miltä minusta tuntuu",
        _levels(
            "En kerro kenellekään",
            "Kerron joskus",
            "Kerron aikuiselle, kun kysytään",
            "Kerron itse aikuiselle",
            "Kerron aikuiselle, vaikka asia on vaikea",
        ),
    ),
    GoalText(
        "Aamut sujuvat ilman kiirettä",
        _levels(
            "Myöhästyn koulusta usein",
            "Myöhästyn joskus",
            "Ehdin kouluun ajoissa",
            "Ehdin kouluun ajoissa ja syön aamupalan",
            "Aamut sujuvat rauhassa joka päivä",
        ),
    ),
)

# A youth's or a child's note to their worker, by how the week went.
NOTES_GOOD = (
    "Tällä viikolla meni tosi hyvin, kävin joka päivä koulussa.",
    "Sain kesätyöpaikan!! En meinannut uskoa.",
    "Nukuin paremmin kun laitoin puhelimen pois yöksi.",
    "Oli kiva käydä salilla kaverin kanssa.",
    "Muutto omaan kämppään jännittää mut myös odotan sitä.",
    "Tapaaminen auttoi, sain vihdoin sanottua asiat ääneen.",
    "Mummolla oli kiva käydä viikonloppuna.",
    "Kokeet meni paremmin kuin luulin.",
    "Sain hyvän numeron matikasta.",
    "Koira oppi uuden tempun!",
)
NOTES_SO_SO = (
    "Ihan ok viikko, vähän väsyttää.",
    "Ei mitään erityistä.",
    "Koulussa menee ok mut kotona riitaa välillä.",
    "Kela-asiat vielä kesken, en tiedä milloin rahat tulee.",
    "Haluaisin puhua asunnosta seuraavalla kerralla.",
    "Ikävä isiä.",
)
NOTES_BAD = (
    "Väsyttää koko ajan enkä jaksa lähteä kouluun.",
    "Riitelin taas äidin kanssa, ei kiva.",
    "En saa unta öisin ja päivät menee sängyssä.",
    "Rahat loppu kesken kuun, en tiedä miten maksan vuokran.",
    "Tuntuu et kukaan ei kuuntele mua.",
    "Kaverit ei enää pyydä mukaan mihinkään.",
)
# Notes that a screen would flag as a concern (the demo raises one on each).
NOTES_CONCERN = (
    "En jaksa enää mitään, kaikki tuntuu turhalta.",
    "En ole syönyt kunnolla pariin päivään.",
    "Mua kiusattiin taas välitunnilla.",
)

# Open feedback, any time, anonymous: (language, text) by how the writer felt.
FEEDBACK_GOOD = (
    ("fi", "Kiitos että jaksoitte kuunnella, tuntui että minusta välitetään."),
    ("fi", "Ohjaaja vastasi viestiin heti ja sain apua samana päivänä."),
    ("fi", "Tapaamiset ovat olleet hyödyllisiä, asiat on selitetty selkeästi."),
    ("fi", "Tosi hyvä paikka, täällä on mukavat aikuiset."),
    ("fi", "Chat on helppo käyttää, kiva kun voi vastata napeilla."),
    ("fi", "Sain vihdoin tietää mitä asiakassuunnitelmassa lukee, kiitos."),
    ("fi", "Työntekijä auttoi hakemaan asuntoa ja toimeentulotukea, iso kiitos!"),
    ("fi", "Parasta on ollut, että sama työntekijä on pysynyt koko ajan."),
    ("fi", "Hyvä että tänne voi kirjoittaa nimettömänä."),
    ("sv", "Tack för att ni lyssnade på mig."),
    ("sv", "Bra information och tydliga besked."),
    ("en", "Thank you, my worker really listened to me."),
    ("en", "The chat questions were easy to answer."),
)
FEEDBACK_MIXED = (
    ("fi", "Ohjaaja on hyvä mutta häntä on vaikea saada kiinni."),
    ("fi", "Tapaamiset on ok, mutta niitä on liian harvoin."),
    ("fi", "Kiitos avusta, mutta tieto ei kulje työntekijöiden välillä."),
    ("fi", "Ihan ok, mutta kysymyksiä oli aika monta."),
    ("fi", "Palaverissa oli liikaa ihmisiä, en uskaltanut sanoa mielipidettäni."),
    ("sv", "Jag fick vänta länge på ett möte, men sen var det bra."),
)
FEEDBACK_BAD = (
    (
        "fi",
        "Työntekijää on vaikea tavoittaa, puhelimeen ei vastata ja takaisinsoittoa saa odottaa.",
    ),
    ("fi", "Odotin ensimmäistä tapaamista yli kuukauden."),
    ("fi", "Työntekijä vaihtui taas, joudun kertomaan kaiken alusta."),
    ("fi", "En ymmärtänyt päätöksestä mitään, paperit oli täynnä virkakieltä."),
    ("fi", "Tuntui ettei mielipidettäni kysytty ollenkaan."),
    ("fi", "Tapaaminen peruttiin viime hetkellä eikä kukaan ilmoittanut."),
    ("fi", "Tukea raha-asioihin pitäisi saada nopeammin, vuokra ehti myöhästyä."),
    ("fi", "Viesteihin vastataan hitaasti."),
    ("fi", "Kukaan ei kertonut mitä seuraavaksi tapahtuu."),
    ("sv", "Det är svårt att nå min handläggare, ingen svarar i telefon."),
    ("en", "It took weeks to get an appointment."),
)

# A parent's "what should we do better?", by how they would recommend the service.
BETTER_PROMOTER = (
    ("fi", "Kaikki meni hyvin, kiitos perhetyöntekijälle!"),
    ("fi", "Ei mitään, olen tyytyväinen. Kiitos."),
    ("fi", "Sähköpostiin vastattiin nopeasti, se oli hyvä."),
    ("fi", "Työntekijä välitti aidosti perheestämme, kiitos siitä."),
    ("fi", "Ymmärsin vihdoin mitä asiakassuunnitelma tarkoittaa, kun se käytiin yhdessä läpi."),
    ("fi", "Jatkakaa samaan malliin. Tapaamisissa oli aina aikaa kuunnella."),
    ("sv", "Tack, vi är nöjda med hjälpen."),
)
BETTER_PASSIVE = (
    ("fi", "Tapaamisajat sopisivat paremmin, jos niitä olisi myös iltaisin."),
    ("fi", "Olisi hyvä tietää etukäteen, keitä palaveriin tulee."),
    ("fi", "Toivoisin apua myös raha-asioihin ja asumiseen."),
    ("fi", "Chatissa voisi kirjoittaa pidemmän viestin."),
    ("fi", "Enemmän tietoa siitä, mitä lastensuojeluilmoituksen jälkeen tapahtuu."),
    ("sv", "Mer information om vad som händer efter ett beslut."),
)
BETTER_DETRACTOR = (
    ("fi", "Työntekijän pitäisi vastata puheluihin tai soittaa takaisin samana päivänä."),
    ("fi", "Toivoisin, että meitä vanhempia kuunneltaisiin enemmän palavereissa."),
    ("fi", "Päätökset pitäisi selittää selkokielellä, kirjeitä on vaikea ymmärtää."),
    ("fi", "Työntekijät vaihtuvat liian usein, lapsi ei ehdi luottaa kehenkään."),
    ("fi", "Odotusajat ovat liian pitkiä, perhetyö alkoi vasta kahden kuukauden päästä."),
    ("fi", "Meille luvattiin soittaa, mutta kukaan ei soittanut."),
    ("sv", "Det var svårt att nå socialarbetaren."),
)

# A worker's note when a flag is resolved.
RESOLVED_NOTES = (
    "Soitin ja sovimme tapaamisen tälle viikolle.",
    "Keskustelimme tapaamisessa, tilanne on rauhoittunut.",
    "Otin yhteyttä, nuori sai ajan terveydenhoitajalle.",
    "Vastasin palautteeseen puhelimessa.",
)
