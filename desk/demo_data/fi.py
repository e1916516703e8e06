"""Requests from Finnish speakers in Finland, under the GDPR, answered in Finnish."""

from __future__ import annotations

from desk.demo_data.requests import (
    DemoRequest,
    Step,
    answer,
    ask_details,
    ask_identity,
    assign,
    claim,
    close,
    extend,
    note,
    rate,
    reject,
    reply,
    resolve,
    withdraw,
)
from tickets.choices import Kind, Outcome


def finn(name: str, kind: str, age: float, description: str, *steps: Step) -> DemoRequest:
    return DemoRequest(name=name, country="FI", region="", language="fi", kind=kind, age=age,
                       description=description, steps=steps)


FINNISH: tuple[DemoRequest, ...] = (
    finn(
        "Aino Laaksonen", Kind.ACCESS, 66,
        "Hei! Olen ollut Example Clubin jäsen vuodesta 2019. Haluaisin saada kopion kaikista "
        "henkilötiedoista, joita teillä on minusta: ostohistoria, kanta-asiakastiedot, "
        "markkinointiluvat ja mahdolliset asiakaspalvelupuhelujen tallenteet. Kertokaa myös, "
        "mihin tarkoituksiin tietojani käytetään ja kenelle niitä on luovutettu.",
        claim(0.8, "agent"),
        reply(0.8, "agent",
              "Hei Aino,\n\nkiitos pyynnöstäsi. Olemme aloittaneet tietojesi kokoamisen "
              "verkkokaupasta, Example Club -järjestelmästä ja asiakaspalvelun "
              "puhelinjärjestelmästä. Lähetämme sinulle kopion tiedoistasi viimeistään kuukauden "
              "kuluessa siitä, kun pyyntösi saapui."),
        note(6, "agent",
             "Puhelintallenteita löytyi kaksi. Ostohistoria ja markkinointiluvat on haettu "
             "asiakasrekisteristä, segmentit analytiikasta."),
        resolve(11, "agent", Outcome.FULFILLED,
                "Hei Aino,\n\nlähetimme kopion tiedoistasi erillisellä suojatulla "
                "sähköpostilla. Siinä ovat ostohistoriasi vuodesta 2019 alkaen (142 tilausta), "
                "Example Club -jäsentietosi ja asiakassegmenttisi, markkinointilupasi "
                "(sähköposti kyllä, tekstiviestit ei) sekä kahden asiakaspalvelupuhelun "
                "tallenteet. Käytämme tietojasi tilausten toimittamiseen, kanta-asiakasetujen "
                "laskemiseen ja luvallasi sähköpostimarkkinointiin. Tietojasi on luovutettu vain "
                "kuljetusliikkeelle toimituksia varten ja maksunvälittäjälle maksujen "
                "käsittelyä varten."),
        rate(12, 5, "Nopeaa ja selkeää palvelua, kiitos!"),
        close(26, "manager"),
    ),
    finn(
        "Mikko Heikkinen", Kind.ERASURE, 58,
        "Pyydän poistamaan kaikki tietoni verkkokaupastanne ja Example Club -rekisteristä. En ole "
        "tilannut mitään kolmeen vuoteen enkä halua, että tietojani säilytetään. Asiakasnumeroni "
        "on 4471203.",
        claim(1.2, "agent"),
        reply(1.2, "agent",
              "Hei Mikko,\n\nkiitos viestistäsi. Käsittelemme poistopyyntösi ja kerromme sinulle, "
              "mitkä tiedot poistamme ja mitkä meidän on lain mukaan säilytettävä."),
        note(5, "agent",
             "Vuoden 2022 tilauksista on laskuja, joiden säilytysaika on kesken. Muut tiedot "
             "voi poistaa."),
        resolve(9, "agent", Outcome.PARTLY_FULFILLED,
                "Hei Mikko,\n\nolemme poistaneet asiakastilisi, Example Club -jäsenyytesi, "
                "markkinointilupasi ja osoitetietosi. Vuoden 2022 tilaustesi laskut säilytämme "
                "kirjanpitolain vaatiman ajan. Niitä ei käytetä mihinkään muuhun, ja ne "
                "poistetaan automaattisesti, kun säilytysaika päättyy.",
                reason="Laskut on säilytettävä kuusi vuotta sen vuoden lopusta, jona tilikausi "
                       "päättyi (kirjanpitolaki 2 luku 10 §), joten niitä ei voi poistaa vielä "
                       "(tietosuoja-asetuksen 17 artiklan 3 kohdan b alakohta)."),
        rate(10, 3, "Ymmärrän laskujen säilyttämisen, mutta olisin toivonut tietoa tästä jo "
                    "tilausta tehdessäni."),
        close(24, "manager"),
    ),
    finn(
        "Sanna Mäkinen", Kind.RECTIFICATION, 52,
        "Muutin keväällä Tampereelta Espooseen, mutta verkkokauppanne lähettää tilaukseni yhä "
        "vanhaan osoitteeseen, vaikka vaihdoin osoitteen profiiliini. Pyydän korjaamaan "
        "osoitteeni kaikkiin järjestelmiinne: uusi osoite on Kuusikuja 4 B 12, 02100 Espoo. "
        "Myös sukunimeni on laskuissa väärin (Makinen).",
        claim(0.3, "agent"),
        resolve(1.1, "agent", Outcome.FULFILLED,
                "Hei Sanna,\n\nkorjasimme osoitteesi sekä verkkokaupan että toimitusjärjestelmän "
                "tietoihin: vanha osoite oli jäänyt toimitusjärjestelmään, kun muutit sen "
                "profiiliisi. Myös sukunimesi on nyt oikein kaikissa järjestelmissä. "
                "Pahoittelemme harmia."),
        rate(2, 4),
        close(16, "manager"),
    ),
    finn(
        "Jari Nieminen", Kind.OBJECTION, 45,
        "Kiellän tietojeni käytön suoramarkkinointiin. Saan teiltä tekstiviestejä ja "
        "kohdennettuja tarjouksia sovelluksessa, vaikka en ole niitä pyytänyt. Lopettakaa myös "
        "ostohistoriani käyttö profilointiin.",
        claim(0.9, "agent"),
        resolve(1.9, "agent", Outcome.FULFILLED,
                "Hei Jari,\n\nolemme lopettaneet tietojesi käytön suoramarkkinointiin: "
                "tekstiviesti- ja sähköpostimarkkinointi on kielletty, eikä ostohistoriaasi enää "
                "käytetä henkilökohtaisten tarjousten laskemiseen sovelluksessa. Muutos koskee "
                "kaikkia kanaviamme."),
        rate(3, 5),
    ),
    finn(
        "Elina Koskinen", Kind.COMPLAINT, 40,
        "Haluan tehdä valituksen. Sain eilen teiltä sähköpostin, jonka liitteenä oli toisen "
        "asiakkaan lasku nimineen ja osoitteineen. Pelkään, että minun laskuni on samalla tavalla "
        "mennyt jollekulle muulle. Tällaista ei saa tapahtua. Haluan tietää, mitä on tapahtunut "
        "ja kenelle tietoni ovat voineet päätyä.",
        claim(1.1, "agent2"),
        reply(1.2, "agent2",
              "Hei Elina,\n\nkiitos, että kerroit tästä heti. Selvitämme tapahtuneen yhdessä "
              "tietosuojavastaavamme kanssa, ja virheellinen laskupohja on poistettu käytöstä. "
              "Kerromme sinulle, koskiko virhe myös sinun tietojasi."),
        note(1.3, "dpo",
             "Todennäköinen tietoturvaloukkaus. Riskiarvio tehty ja ilmoitus "
             "tietosuojavaltuutetun toimistolle lähetetty 72 tunnin kuluessa. Selvitettävä "
             "laskutusajon kaikki vastaanottajat."),
        note(6, "agent2",
             "Laskutuskumppani selvittää yhä, mihin osoitteisiin virheellinen ajo lähti. "
             "Odotamme raporttia."),
        reply(15, "agent2",
              "Hei Elina,\n\nselvitys on valitettavasti vielä kesken. Laskutuskumppanimme käy läpi "
              "kaikki saman ajon lähetykset. Palaamme asiaan heti, kun tiedämme, lähtikö "
              "laskusi jollekulle muulle."),
        answer(24, "Onko asiassa mitään uutta? Odotin vastausta jo viime viikolla."),
    ),
    finn(
        "Tuomas Järvinen", Kind.PORTABILITY, 38,
        "Haluan siirtää ostohistoriani ja Example Club -pisteiden tapahtumat toiseen palveluun. "
        "Pyydän ne koneluettavassa muodossa, esimerkiksi CSV- tai JSON-tiedostona.",
        claim(2, "manager"),
        reply(2, "manager",
              "Hei Tuomas,\n\nkiitos pyynnöstäsi. Teemme sinulle CSV-tiedoston, jossa ovat "
              "tilauksesi, ostetut tuotteet ja pistetapahtumat. Ilmoitamme, kun tiedosto on "
              "ladattavissa."),
        resolve(8, "manager", Outcome.FULFILLED,
                "Hei Tuomas,\n\ntiedostosi on valmis. Siinä on 87 tilausta ja 312 "
                "pistetapahtumaa CSV-muodossa (UTF-8, sarakkeiden nimet ensimmäisellä rivillä). "
                "Latauslinkki lähti erillisellä sähköpostilla, ja se on voimassa 14 päivää."),
        rate(9, 4, "Tiedosto toimi hyvin, mutta latauslinkki tuli vasta seuraavana päivänä."),
    ),
    finn(
        "Hanna Lehtonen", Kind.ACCESS, 33,
        "Pyydän kaikki minusta tallennetut henkilötiedot, myös asiakaspalvelupuhelujen "
        "tallenteet, chat-keskustelut ja Tampereen myymälän kameravalvontatallenteet, joissa "
        "saatan näkyä (kävin siellä useita kertoja viime kuussa). Haluan myös tietää, mistä "
        "olette saaneet puhelinnumeroni.",
        claim(1, "agent"),
        ask_details(1, "agent",
                    "Hei Hanna,\n\nkiitos pyynnöstäsi. Jotta löydämme oikeat "
                    "kameravalvontatallenteet, tarvitsemme käyntiesi päivät ja likimääräiset "
                    "kellonajat. Tallenteita säilytetään 30 päivää, joten vastaathan pian."),
        answer(2.5, "Kävin myymälässä kahtena lauantaina noin kello 12–13 ja yhtenä tiistaina "
                    "kello 17 jälkeen. Maksoin joka kerta Example Club -kortilla, joten "
                    "ostotapahtumista näkee tarkat ajat."),
        note(10, "agent",
             "Kolme tallennetta löytyi ja on otettu talteen. Muiden asiakkaiden kasvot on "
             "peitettävä ennen luovutusta; puhelinnumero on tullut verkkokaupan tilauksesta."),
        extend(18, "agent",
               "Pyyntösi koskee useita järjestelmiä, ja kameravalvontatallenteista on peitettävä "
               "muiden ihmisten kasvot ennen kuin voimme luovuttaa ne sinulle. Tarvitsemme tähän "
               "lisäaikaa."),
    ),
    finn(
        "Petri Salminen", Kind.ERASURE, 29,
        "Poistakaa kaikki tietoni, myös Example Club -tili. Lähetän tämän eri sähköpostista kuin "
        "mitä tilillä käytin, koska vanha osoite ei ole enää käytössä.",
        claim(1, "agent"),
        ask_identity(1, "agent",
                     "Hei Petri,\n\nkoska pyyntö tuli eri sähköpostiosoitteesta kuin asiakastiliin "
                     "liitetty, meidän on varmistettava henkilöllisyytesi ennen kuin poistamme "
                     "mitään. Kerro meille asiakasnumerosi tai tilillä oleva puhelinnumero sekä "
                     "jonkin viimeisimmän tilauksesi päivämäärä ja summa."),
    ),
    finn(
        "Riikka Hämäläinen", Kind.CONSENT_WITHDRAWAL, 27,
        "Peruutan suostumukseni sijaintitietojen käyttöön Example-sovelluksessa. Annoin luvan, "
        "kun asensin sovelluksen, mutta en halua, että liikkumistani seurataan "
        "myymälätarjouksia varten. Poistakaa myös jo kerätty sijaintihistoria.",
        claim(3, "manager"),
        note(3.1, "manager",
             "Sovelluskehittäjiltä kysytty, voiko jo kerätyn sijaintihistorian poistaa yhdeltä "
             "käyttäjältä analytiikkapalvelusta."),
        reply(4, "manager",
              "Hei Riikka,\n\nsijaintitietojen keruu on lopetettu tililtäsi. Selvitämme vielä, "
              "miten jo kerätty sijaintihistoria poistetaan sovelluksen analytiikkapalvelusta, "
              "ja kerromme sinulle, kun se on tehty."),
    ),
    finn(
        "Laura Heinonen", Kind.QUESTION, 9,
        "Kenelle luovutatte tietojani? Sovelluksen tietosuojaselosteessa mainitaan "
        "yhteistyökumppanit, mutta niitä ei ole nimetty. Myyttekö tietoja mainostajille?",
        claim(1, "agent2"),
        ask_details(1.1, "agent2",
                    "Hei Laura,\n\nkiitos kysymyksestäsi. Emme myy tietoja kenellekään. Jotta "
                    "voimme vastata tarkasti, kerrotko vielä, käytätkö sovellusta iPhonella vai "
                    "Android-puhelimella ja oletko kirjautunut sisään Example Club -tunnuksilla? "
                    "Kumppanit vaihtelevat hieman palvelun mukaan."),
    ),
    finn(
        "Antti Ojala", Kind.RESTRICTION, 34,
        "Asiakastiedoissanne on merkintä, että minulla olisi maksamaton lasku, ja siksi lasku- ja "
        "osamaksuvaihtoehdot on estetty. Lasku on maksettu, ja minulla on maksupäivä ja viite "
        "tallessa. Pyydän, ettette käytä tätä tietoa mihinkään ennen kuin asia on selvitetty.",
        assign(1, "manager", "agent"),
        reply(1.1, "agent",
              "Hei Antti,\n\nolemme rajoittaneet maksutietosi käsittelyä: merkintää ei käytetä "
              "maksutapojen arviointiin, kunnes asia on selvitetty. Pyydämme "
              "maksupalvelukumppaniltamme tiedon maksustasi ja kerromme tuloksen sinulle."),
        note(8, "agent", "Maksupalvelukumppani ei ole vielä vastannut. Muistutus lähetetty."),
        note(25, "agent",
             "Kumppanilta ei edelleenkään vastausta. Asia siirretty esihenkilön tietoon; "
             "rajoitus on voimassa."),
    ),
    finn(
        "Kaisa Manninen", Kind.ACCESS, 3.5,
        "Haluan nähdä, mitä tietoja minusta on kerätty Example Club -jäsenyyteni aikana. "
        "Erityisesti haluan tietää, millaisia ostoksiini perustuvia profiileja tai "
        "asiakassegmenttejä minusta on tehty.",
    ),
    finn(
        "Mikko Heikkinen", Kind.COMPLAINT, 21,
        "Pyysin reilu kuukausi sitten tietojeni poistamista, ja minulle vahvistettiin, että "
        "markkinointiluvat on poistettu. Sain silti eilen uutiskirjeenne. Tämä ei ole "
        "hyväksyttävää.",
        claim(0.8, "agent2"),
        reply(0.9, "agent2",
              "Hei Mikko,\n\npahoittelemme. Tarkistamme heti, miksi uutiskirje lähti sinulle "
              "vielä tietojesi poistamisen jälkeen."),
        note(1.5, "agent2",
             "Uutiskirjepalvelussa oli erillinen vanha tilaajalista, jota poisto ei koskenut. "
             "Lista käyty läpi, ja 14 muuta samanlaista tapausta on korjattu."),
        resolve(2.5, "agent2", Outcome.FULFILLED,
                "Hei Mikko,\n\nselvitimme asian: sähköpostiosoitteesi oli jäänyt "
                "uutiskirjepalvelun vanhalle tilaajalistalle, jota poisto ei koskenut. Osoitteesi "
                "on nyt poistettu myös sieltä, ja olemme korjanneet poistoprosessin niin, että se "
                "kattaa jatkossa kaikki listat. Pahoittelemme tapahtunutta."),
    ),
    finn(
        "Jukka Karjalainen", Kind.RECTIFICATION, 1.5,
        "Syntymäaikani on Example Club -tilillä väärin (1.1.1900), minkä takia en saa "
        "syntymäpäiväetua. Oikea syntymäaika on 14.3.1978. Pyydän korjaamaan sen.",
    ),
    finn(
        "Minna Tuominen", Kind.ERASURE, 12,
        "Haluan, että poistatte kaikki tietoni ja Example Club -tilini. En käytä palveluanne "
        "enää.",
        claim(1, "agent"),
        reply(1.1, "agent",
              "Hei Minna,\n\nkiitos viestistäsi. Huomaathan, että tilin poistaminen poistaa myös "
              "kertyneet 2 340 bonuspistettäsi ja voimassa olevat etusetelisi. Jatkamme "
              "poistamista, ellet ilmoita muuta."),
        withdraw(2, "En tiennyt pisteistä. Perun poistopyynnön, käytän pisteet ensin."),
    ),
    finn(
        "Aino Laaksonen", Kind.OBJECTION, 0.3,
        "Sain teiltä kopion tiedoistani, ja siitä selvisi, että ostohistoriaani käytetään "
        "asiakassegmenttien ja henkilökohtaisten tarjousten laskemiseen. Vastustan tietojeni "
        "käyttöä profilointiin ja kohdennettuun mainontaan. Uutiskirjeen saa edelleen lähettää.",
    ),
    finn(
        "Päivi Savolainen", Kind.ACCESS, 70,
        "Pyydän jäljennöksen kaikista tiedoista, joita teillä on minusta ja pojastani Eetu "
        "Savolaisesta. Hän on 19-vuotias eikä itse ehdi hoitaa asiaa.",
        claim(1, "agent"),
        ask_identity(1, "agent",
                     "Hei Päivi,\n\nvoimme lähettää sinulle omat tietosi, kun olemme varmistaneet "
                     "henkilöllisyytesi: kerro meille asiakasnumerosi tai tilisi puhelinnumero. "
                     "Poikasi tiedot voimme antaa vain hänelle itselleen tai hänen "
                     "valtuuttamalleen henkilölle, joten tarvitsemme niitä varten hänen "
                     "allekirjoittamansa valtakirjan."),
        reply(30, "agent",
              "Hei Päivi,\n\nmuistutamme, että odotamme yhä tietoja henkilöllisyytesi "
              "varmistamiseksi. Jos emme saa niitä kuukauden kuluessa, suljemme pyynnön. Voit "
              "aina tehdä uuden pyynnön."),
        reply(61, "agent",
              "Hei Päivi,\n\nkoska emme ole saaneet tietoja henkilöllisyytesi varmistamiseksi, "
              "suljemme pyyntösi. Voit tehdä uuden pyynnön milloin tahansa, ja poikasi voi "
              "pyytää omat tietonsa itse."),
        reject(61.1, "agent",
               "Henkilöllisyyttä ei voitu varmistaa: pyytäjä ei vastannut kahteen "
               "selvityspyyntöön kahden kuukauden aikana."),
    ),
    finn(
        "Olli Virtanen", Kind.COMPLAINT, 8,
        "Myymälänne kassalla minua pyydettiin sanomaan henkilötunnukseni ääneen, kun maksoin "
        "laskulla. Jonossa seisovat kuulivat sen. Miksi tunnusta ei voi näppäillä itse "
        "maksupäätteeseen? Tämä on mielestäni tietosuojan vastaista.",
        claim(1, "agent2"),
        reply(1.2, "agent2",
              "Hei Olli,\n\nkiitos palautteesta, olet aivan oikeassa: henkilötunnusta ei pidä "
              "kysyä ääneen. Selvitämme myymälän kanssa, miten kassalla toimittiin, ja kerromme "
              "sinulle, mitä muutamme."),
        note(4, "agent2",
             "Myymäläpäällikkö vahvistaa, että maksupäätteen näppäilyvaihtoehto on ollut pois "
             "käytöstä kahdella kassalla. Korjaus on tilattu, ja henkilökunta on ohjeistettu."),
    ),
    finn(
        "Noora Laine", Kind.ERASURE, 35,
        "Pyydän poistamaan kaikki tietoni. En halua enää olla asiakkaananne viallisesta "
        "sohvasta tehdyn reklamaation jälkeen.",
        claim(1, "agent"),
        note(2, "agent",
             "Asiakkaan reklamaatio on kesken kuluttajariitalautakunnassa. Tiedot tarvitaan "
             "asian hoitamiseen."),
        resolve(4, "agent", Outcome.REFUSED,
                "Hei Noora,\n\nemme voi vielä poistaa tietojasi, koska reklamaatiosi käsittely "
                "on kesken kuluttajariitalautakunnassa ja tarvitsemme tiedot asian hoitamiseen. "
                "Olemme lopettaneet kaiken markkinoinnin sinulle. Kun asia on ratkaistu, "
                "poistamme tiedot pyynnöstäsi.",
                reason="Tiedot tarvitaan vireillä olevan riita-asian hoitamiseen "
                       "kuluttajariitalautakunnassa (tietosuoja-asetuksen 17 artiklan 3 kohdan "
                       "e alakohta: oikeudellisen vaateen laatiminen, esittäminen tai "
                       "puolustaminen)."),
        rate(5, 2, "Ymmärrän perustelun, mutta tuntuu, ettei minua kuunneltu."),
        close(20, "manager"),
    ),
)
