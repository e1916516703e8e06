"""Requests from Swedish speakers in Sweden and in Finland, under the GDPR, answered in Swedish."""

from __future__ import annotations

from desk.demo_data.requests import (
    DemoRequest,
    Step,
    answer,
    ask_details,
    claim,
    close,
    note,
    rate,
    reject,
    reply,
    resolve,
)
from tickets.choices import Kind, Outcome


def swede(name: str, country: str, kind: str, age: float, description: str, *steps: Step) -> DemoRequest:
    return DemoRequest(name=name, country=country, region="", language="sv", kind=kind, age=age,
                       description=description, steps=steps)


SWEDISH: tuple[DemoRequest, ...] = (
    swede(
        "Johanna Lindholm", "FI", Kind.ACCESS, 48,
        "Hej! Jag bor i Vasa och vill ha en kopia av alla personuppgifter som ni har om mig, "
        "också min köphistorik och vilka marknadsföringstillstånd jag har gett. Jag vill gärna "
        "få svaret på svenska.",
        claim(1, "agent"),
        reply(1.1, "agent",
              "Hej Johanna,\n\ntack för din begäran. Vi samlar in dina uppgifter från webbutiken "
              "och Example Club och skickar dem till dig inom en månad från att vi fick din "
              "begäran."),
        resolve(9, "agent", Outcome.FULFILLED,
                "Hej Johanna,\n\nvi har skickat en sammanställning av dina uppgifter i ett "
                "separat krypterat e-postmeddelande: dina kontaktuppgifter, din köphistorik sedan "
                "2021 (34 beställningar), ditt medlemskap i Example Club och dina "
                "marknadsföringstillstånd (e-post ja, sms nej). Vi använder uppgifterna för att "
                "leverera beställningar, räkna ut dina förmåner och, med ditt samtycke, för att "
                "skicka nyhetsbrev."),
        rate(10, 4, "Bra och tydligt svar, tack!"),
        close(24, "manager"),
    ),
    swede(
        "Mikael Ekström", "FI", Kind.RECTIFICATION, 14,
        "Mitt namn är felstavat i ert kundregister (Ekstrom i stället för Ekström), och "
        "telefonnumret är gammalt. Vänligen rätta namnet och ta bort det gamla numret, som "
        "slutar på 4567. Jag bor i Borgå.",
        claim(1, "agent"),
        reply(1.1, "agent",
              "Hej Mikael,\n\ntack för ditt meddelande. Vi har rättat ditt namn i kundregistret och "
              "tagit bort det gamla numret. Leveranssystemet uppdateras separat, och vi meddelar "
              "dig när också det är klart. Vill du att vi lägger in ett nytt telefonnummer?"),
        answer(2, "Tack! Nej, lägg inte in något nytt nummer, det räcker med e-post."),
        note(3, "agent",
             "Leveranssystemet uppdateras först i nästa nattkörning. Kontrollera att namnet är "
             "rätt på följesedeln innan ärendet avslutas."),
    ),
    swede(
        "Karin Andersson", "SE", Kind.ERASURE, 61,
        "Jag vill att ni raderar mitt konto och alla uppgifter om mig. Jag handlade hos er en "
        "gång för flera år sedan och har fått nyhetsbrev sedan dess, fast jag aldrig bett om "
        "dem.",
        claim(0.7, "agent"),
        resolve(3, "agent", Outcome.FULFILLED,
                "Hej Karin,\n\nvi har raderat ditt kundkonto, dina kontaktuppgifter och din "
                "prenumeration på nyhetsbrevet. Din beställning var så gammal att bokföringen "
                "för den redan har gallrats, så inga uppgifter om dig finns kvar hos oss."),
        rate(4, 5, "Snabbt och smidigt."),
    ),
    swede(
        "Karin Andersson", "SE", Kind.ERASURE, 60,
        "Jag vill att ni raderar mitt konto och alla uppgifter om mig. Jag skickade redan en "
        "begäran i går men fick inget svar.",
        claim(0.5, "agent"),
        reply(0.5, "agent",
              "Hej Karin,\n\nvi har tagit emot din begäran från i går och behandlar den där. Vi "
              "avslutar därför det här ärendet som en dubblett; svaret får du i det första "
              "ärendet."),
        reject(0.55, "agent", "Dubblett: samma begäran kom in dagen innan och besvaras i det "
                              "ärendet."),
    ),
    swede(
        "Erik Johansson", "SE", Kind.OBJECTION, 24,
        "Jag motsätter mig att ni använder min köphistorik för profilering och riktad "
        "marknadsföring i appen och i sociala medier. Sluta också skicka sms med erbjudanden.",
        claim(1, "agent"),
        resolve(2, "agent", Outcome.FULFILLED,
                "Hej Erik,\n\nvi har slutat använda dina uppgifter för profilering och riktad "
                "marknadsföring. Din köphistorik används inte längre för personliga erbjudanden i "
                "appen, vi har tagit bort dig från våra målgrupper i sociala medier och "
                "sms-erbjudandena är avstängda."),
    ),
    swede(
        "Sofia Nilsson", "SE", Kind.COMPLAINT, 6,
        "Jag avslutade prenumerationen på ert nyhetsbrev för över en månad sedan, men jag får "
        "fortfarande e-post från er varje vecka. Det är oacceptabelt och jag vill klaga.",
        claim(1, "agent2"),
        ask_details(1.2, "agent2",
                    "Hej Sofia,\n\nvi beklagar det här. Vi hittar ingen prenumeration på den "
                    "adress som du skrev från. Kan du vidarebefordra ett av de senaste "
                    "nyhetsbreven till oss eller berätta vilken e-postadress de kommer till, så "
                    "att vi kan stoppa dem?"),
    ),
    swede(
        "Lars Bergström", "SE", Kind.PORTABILITY, 2,
        "Jag vill få ut min köphistorik och mina bonuspoäng i en maskinläsbar fil, till exempel "
        "CSV, så att jag kan flytta dem till en annan tjänst.",
    ),
    swede(
        "Ebba Lundgren", "FI", Kind.CONSENT_WITHDRAWAL, 42,
        "Jag återkallar mitt samtycke till att ni använder mina uppgifter för nyhetsbrev och "
        "kundundersökningar. Jag vill ändå vara kvar som medlem i Example Club.",
        claim(2, "agent"),
        resolve(2.2, "agent", Outcome.FULFILLED,
                "Hej Ebba,\n\nditt samtycke är återkallat: du får inte längre nyhetsbrev eller "
                "kundundersökningar från oss. Ditt medlemskap i Example Club fortsätter som "
                "tidigare."),
        close(17, "manager"),
    ),
)
