"""Locales of the second population: names, diminutives, streets, cities, phones and e-mail domains.

Written independently of the main generator (sample_silos/vocabulary.py) and of the matcher: other
countries (Benelux, France, Italy, Poland, Czechia, Spain and Turkish families in Germany), other
diminutives. Lists run from common to rare; the generator draws them with Zipf-like weights, so a few
names (de Jong, Rossi, Nowak, García …) are shared by many different people.
"""

from __future__ import annotations

from dataclasses import dataclass


def _split(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(",") if word.strip())


@dataclass(frozen=True)
class Town:
    """A city, its postcode range (numeric part) and other spellings people and shops use for it."""

    name: str
    first: int
    last: int
    step: int = 1
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Locale:
    """Everything needed to make a person of one culture living in one country look right."""

    code: str  # locale key (NL, BE, FR, IT, PL, CZ, ES, TR_DE)
    country: str  # ISO 3166-1 alpha-2 of the country of residence
    calling_code: str
    trunk: str  # national trunk prefix ("0") or "" where numbers are dialled without one
    mobile_prefixes: tuple[str, ...]
    mobile_digits: int  # national significant number length of a mobile
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    streets: tuple[str, ...]
    towns: tuple[Town, ...]
    email_domains: tuple[str, ...]
    keyboard: str  # qwerty | azerty | qwertz
    number_first: bool = False  # French addresses: "12 rue Victor Hugo"


DIMINUTIVES: dict[str, tuple[str, ...]] = {
    # Dutch / Flemish
    "Johannes": ("Hans", "Joop", "Jan"), "Jan": ("Jantje",), "Pieter": ("Piet",), "Hendrik": ("Henk", "Rik"),
    "Cornelis": ("Kees", "Cor"), "Willem": ("Wim", "Pim"), "Gerardus": ("Gerard", "Gert"), "Jacobus": ("Koos", "Jaap"),
    "Adrianus": ("Adrie", "Janus"), "Theodorus": ("Theo", "Dorus"), "Franciscus": ("Frans", "Sjaak"),
    "Abraham": ("Bram",), "Matthijs": ("Thijs",), "Sebastiaan": ("Bas",), "Alexander": ("Sander", "Lex"),
    "Johanna": ("Joke", "Anneke", "Hanneke"), "Maria": ("Mieke", "Marieke", "Ria"), "Cornelia": ("Corrie", "Nel"),
    "Wilhelmina": ("Willy", "Mien", "Wilma"), "Elisabeth": ("Lies", "Els", "Liesbeth"),
    "Catharina": ("Tineke", "Toos", "Rina"), "Geertruida": ("Truus", "Truida"), "Petronella": ("Nel", "Ellie"),
    "Hendrika": ("Riek", "Rika"), "Katrien": ("Trien",), "Annemarie": ("Anne-Marie", "Annemie"),
    # French
    "Frédéric": ("Fred",), "Christophe": ("Chris",), "Sébastien": ("Seb", "Bastien"), "Nicolas": ("Nico",),
    "Alexandre": ("Alex",), "Dominique": ("Dom",), "Guillaume": ("Guigui",), "Jean-Baptiste": ("JB", "Baptiste"),
    "Catherine": ("Cathy", "Catou"), "Isabelle": ("Isa", "Zabou"), "Stéphanie": ("Steph", "Fanny"),
    "Valérie": ("Val",), "Françoise": ("Fanfan",), "Élisabeth": ("Babette", "Lisette"), "Marie-Thérèse": ("Maïté",),
    "Aurélie": ("Lili",), "Christine": ("Titine",), "Nathalie": ("Nath",), "Mathieu": ("Matt",),
    # Italian
    "Giuseppe": ("Beppe", "Pino", "Peppe"), "Giovanni": ("Gianni", "Nanni"), "Francesco": ("Franco", "Checco"),
    "Antonio": ("Tonino", "Nino"), "Salvatore": ("Totò", "Salvo"), "Alessandro": ("Sandro", "Ale"),
    "Vincenzo": ("Enzo",), "Domenico": ("Mimmo",), "Luigi": ("Gino",), "Filippo": ("Pippo",), "Massimo": ("Max",),
    "Roberto": ("Berto",), "Giuseppina": ("Pina", "Giusy"), "Francesca": ("Franca", "Fra"),
    "Alessandra": ("Sandra", "Ale"), "Elisabetta": ("Betta", "Elisa"), "Federica": ("Fede",),
    "Valentina": ("Vale",), "Antonella": ("Anto",), "Caterina": ("Rina", "Cate"), "Maria Grazia": ("Mariagrazia", "Grazia"),
    # Polish
    "Krzysztof": ("Krzysiek",), "Andrzej": ("Jędrek",), "Tomasz": ("Tomek",), "Jakub": ("Kuba",),
    "Grzegorz": ("Grzesiek",), "Mateusz": ("Mati",), "Wojciech": ("Wojtek",), "Stanisław": ("Staszek", "Stasiek"),
    "Aleksander": ("Olek",), "Józef": ("Józek",), "Zbigniew": ("Zbyszek",), "Michał": ("Michałek",),
    "Anna": ("Ania", "Anka", "Anke"), "Katarzyna": ("Kasia",), "Małgorzata": ("Gosia", "Małgosia"),
    "Agnieszka": ("Aga",), "Barbara": ("Basia",), "Krystyna": ("Krysia",), "Elżbieta": ("Ela",),
    "Magdalena": ("Magda", "Madzia"), "Joanna": ("Asia",), "Aleksandra": ("Ola",), "Zofia": ("Zosia",), "Dorota": ("Dorotka",),
    # Czech
    "Jiří": ("Jirka",), "Petr": ("Péťa",), "Josef": ("Pepa",), "Jaroslav": ("Jarda",), "Miroslav": ("Mirek",),
    "Zdeněk": ("Zdenda",), "Václav": ("Vašek",), "František": ("Franta",), "Vojtěch": ("Vojta",), "Tomáš": ("Tom",),
    "Kateřina": ("Katka",), "Tereza": ("Terka",), "Veronika": ("Verča",), "Zuzana": ("Zuzka",), "Lucie": ("Lucka",),
    # Spanish
    "José": ("Pepe",), "Manuel": ("Manolo",), "Francisco": ("Paco", "Curro"), "Javier": ("Javi",),
    "Jesús": ("Chus", "Chucho"), "Alejandro": ("Álex",), "Rafael": ("Rafa",), "Fernando": ("Nando",),
    "Ignacio": ("Nacho",), "Enrique": ("Quique",), "Guillermo": ("Guille",), "Alberto": ("Berto",),
    "Dolores": ("Lola",), "Pilar": ("Pili",), "Concepción": ("Concha", "Conchi"), "Mercedes": ("Merche",),
    "Rosario": ("Charo",), "Josefa": ("Pepa",), "Francisca": ("Paqui", "Paca"), "Cristina": ("Cris",),
    "Beatriz": ("Bea",), "Teresa": ("Tere",), "Montserrat": ("Montse",), "Guadalupe": ("Lupe",), "Manuela": ("Manoli",),
    "Isabel": ("Isa", "Chabela"), "María del Carmen": ("Mari Carmen", "Maica"), "José Luis": ("Pepelu",),
    # Turkish
    "Mehmet": ("Memo",), "Mustafa": ("Musti",), "İbrahim": ("İbo",), "Hüseyin": ("Hüso",), "Abdullah": ("Apo",),
    "Fatma": ("Fato",), "Ayşe": ("Ayşo",), "Zeynep": ("Zeyno",), "Emine": ("Emo",),
}
"""Diminutives and short forms people of these cultures use for themselves (this population's own table)."""


def _nl_towns() -> tuple[Town, ...]:
    return (
        Town("Amsterdam", 1011, 1109), Town("Rotterdam", 3011, 3089), Town("Den Haag", 2491, 2599, aliases=("'s-Gravenhage", "The Hague")),
        Town("Utrecht", 3511, 3585), Town("Eindhoven", 5611, 5658), Town("Groningen", 9711, 9747), Town("Tilburg", 5011, 5049),
        Town("Almere", 1311, 1364), Town("Breda", 4811, 4839), Town("Nijmegen", 6511, 6546), Town("Haarlem", 2011, 2037),
        Town("Arnhem", 6811, 6846), Town("Zwolle", 8011, 8043), Town("Leiden", 2311, 2334), Town("Maastricht", 6211, 6229),
        Town("'s-Hertogenbosch", 5211, 5237, aliases=("Den Bosch",)), Town("Apeldoorn", 7311, 7339), Town("Enschede", 7511, 7548),
    )


LOCALES: dict[str, Locale] = {
    "NL": Locale(
        code="NL", country="NL", calling_code="31", trunk="0", mobile_prefixes=("61", "62", "63", "64", "65"), mobile_digits=9,
        male=_split("Jan, Johannes, Pieter, Hendrik, Cornelis, Willem, Daan, Sem, Lucas, Thijs, Bram, Ruben, Jeroen, Niels, Stijn, "
                    "Joost, Maarten, Gerardus, Jacobus, Adrianus, Theodorus, Franciscus, Sebastiaan, Matthijs, Dirk, Sander, "
                    "Bas, Tom, Finn, Jesse, Wouter, Gijs, Koen, Ruud, Arjen, Abraham, Alexander, Rutger, Hidde, Sjoerd"),
        female=_split("Maria, Johanna, Anna, Cornelia, Elisabeth, Wilhelmina, Catharina, Sanne, Emma, Julia, Lotte, Fleur, Anouk, Eva, "
                      "Lieke, Femke, Iris, Sophie, Esther, Marloes, Geertruida, Petronella, Hendrika, Annemarie, Ingrid, Marieke, "
                      "Saskia, Yvonne, Anke, Linda, Tess, Noor, Roos, Jolien, Mirjam"),
        surnames=_split("de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, de Boer, Mulder, "
                        "de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer, de Wit, Dijkstra, Smits, de Graaf, "
                        "van der Meer, van der Linden, Kok, Jacobs, de Haan, Vermeulen, van den Heuvel, van der Veen, "
                        "van den Broek, de Bruijn, van der Heijden, Schouten, van Beek, Willems, van Vliet, van de Ven, Hoekstra, "
                        "Maas, Verhoeven, Koster, van Dam, van der Wal, Prins, Blom, Huisman, Kuipers, van Wijk, Postma, Kramer, "
                        "ten Brink, op den Kamp, Zwart, Timmermans, van 't Hof, in 't Veld"),
        streets=_split("Kerkstraat, Hoofdstraat, Dorpsstraat, Schoolstraat, Molenweg, Stationsweg, Julianastraat, Wilhelminastraat, "
                       "Beatrixlaan, Nieuwstraat, Markt, Prinsengracht, Keizersgracht, Marktstraat, Parallelweg, Industrieweg, "
                       "Emmastraat, Oranjestraat, Kastanjelaan, Lindelaan, Eikenlaan, Burgemeester de Withstraat, Van Goghstraat, "
                       "Rembrandtlaan, Kanaalweg, Sportlaan, Parkweg, Zuiderdiep, Vondelstraat"),
        towns=_nl_towns(),
        email_domains=_split("gmail.com, hotmail.com, ziggo.nl, kpnmail.nl, outlook.com, live.nl, planet.nl, xs4all.nl, hetnet.nl, icloud.com"),
        keyboard="qwerty",
    ),
    "BE": Locale(
        code="BE", country="BE", calling_code="32", trunk="0", mobile_prefixes=("470", "471", "472", "473", "475", "476", "477", "478", "479", "484", "485", "486", "487", "489", "490", "491", "492", "493", "494", "495", "496", "497", "498", "499"), mobile_digits=9,
        male=_split("Luc, Marc, Dirk, Koen, Wouter, Bart, Geert, Stijn, Pieter, Jean, Philippe, Olivier, Guillaume, Kevin, Tom, Jens, "
                    "Lars, Arthur, Louis, Jules, Noah, Patrick, Eddy, Johan, Frank, Willy, Jozef, Frans, Benoît, Michel"),
        female=_split("An, Els, Katrien, Sofie, Inge, Nathalie, Véronique, Marie, Lien, Hilde, Sarah, Laura, Julie, Elise, Lotte, "
                      "Martine, Christine, Nicole, Monique, Annemie, Griet, Leen, Isabelle, Chantal, Nele"),
        surnames=_split("Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters, De Smet, Dubois, Lambert, Dupont, "
                        "Martin, Vermeulen, Van Damme, De Backer, Desmet, Leclercq, Lemaire, Van den Broeck, Hermans, Michiels, "
                        "Pauwels, Van de Velde, De Clercq, Verstraete, Claeys, Segers, Van Acker, Vandenberghe, D'Hondt"),
        streets=_split("Kerkstraat, Stationsstraat, Dorpsstraat, Nieuwstraat, Molenstraat, Rue de la Station, Rue de l'Église, "
                       "Chaussée de Bruxelles, Avenue Louise, Grote Markt, Meir, Bondgenotenlaan, Rue Haute, Kapelstraat, "
                       "Steenweg op Gent, Rue du Moulin, Veldstraat, Schoolstraat, Avenue de Tervueren, Lange Kievitstraat"),
        towns=(
            Town("Brussel", 1000, 1210, aliases=("Bruxelles", "Brussels")), Town("Antwerpen", 2000, 2660, aliases=("Anvers", "Antwerp")),
            Town("Gent", 9000, 9052, aliases=("Gand", "Ghent")), Town("Charleroi", 6000, 6061), Town("Liège", 4000, 4032, aliases=("Luik", "Liege")),
            Town("Brugge", 8000, 8380, aliases=("Bruges",)), Town("Leuven", 3000, 3020, aliases=("Louvain",)), Town("Namur", 5000, 5101, aliases=("Namen",)),
            Town("Mechelen", 2800, 2812, aliases=("Malines",)), Town("Hasselt", 3500, 3512), Town("Kortrijk", 8500, 8511, aliases=("Courtrai",)),
        ),
        email_domains=_split("telenet.be, skynet.be, gmail.com, hotmail.com, proximus.be, outlook.be, scarlet.be, live.be"),
        keyboard="azerty",
    ),
    "FR": Locale(
        code="FR", country="FR", calling_code="33", trunk="0", mobile_prefixes=("61", "62", "63", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78"), mobile_digits=9,
        male=_split("Jean, Pierre, Michel, Philippe, Alain, Nicolas, François, Christophe, Laurent, Frédéric, Sébastien, Julien, "
                    "Guillaume, Mathieu, Antoine, Thomas, Hugo, Louis, Lucas, Jean-Pierre, Jean-Marc, Jean-Luc, Dominique, Patrick, "
                    "Bernard, Alexandre, Jean-Baptiste, Yves, Gérard, Didier, Olivier, Thierry, Arnaud, Maxime, Théo"),
        female=_split("Marie, Nathalie, Isabelle, Sylvie, Catherine, Françoise, Valérie, Sandrine, Stéphanie, Céline, Aurélie, Camille, "
                      "Léa, Manon, Chloé, Marie-Claire, Anne-Sophie, Élodie, Emma, Inès, Christine, Élisabeth, Marie-Thérèse, "
                      "Dominique, Martine, Monique, Brigitte, Julie, Juliette, Margaux, Océane, Sophie"),
        surnames=_split("Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent, Simon, Michel, Lefebvre, "
                        "Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet, Dupont, Lambert, Fontaine, Rousseau, Vincent, "
                        "Muller, Lefèvre, Faure, André, Mercier, Blanc, Guérin, Boyer, Garnier, Chevalier, François, Legrand, Gauthier, "
                        "Perrin, Robin, Clément, Morin, Henry, Roussel, Mathieu, Masson, Le Gall, Le Roux, Dumas, de la Fontaine, "
                        "du Pont, Lemoine, Lacroix, Barbier, Brun"),
        streets=_split("rue de la République, rue Victor Hugo, avenue Jean Jaurès, rue Pasteur, boulevard Gambetta, rue de la Paix, "
                       "place de la Mairie, rue du Moulin, rue des Écoles, avenue du Général de Gaulle, rue Nationale, "
                       "allée des Tilleuls, chemin des Vignes, impasse des Lilas, rue Jules Ferry, boulevard Voltaire, "
                       "rue de l'Église, avenue de la Gare, rue du Château, rue Émile Zola"),
        towns=(
            Town("Paris", 75001, 75020), Town("Marseille", 13001, 13016), Town("Lyon", 69001, 69009), Town("Toulouse", 31000, 31500, 100),
            Town("Nice", 6000, 6300, 100), Town("Nantes", 44000, 44300, 100), Town("Strasbourg", 67000, 67200, 100),
            Town("Montpellier", 34000, 34090, 10), Town("Bordeaux", 33000, 33300, 100), Town("Lille", 59000, 59800, 100),
            Town("Rennes", 35000, 35200, 100), Town("Reims", 51100, 51100), Town("Grenoble", 38000, 38100, 100), Town("Dijon", 21000, 21000),
        ),
        email_domains=_split("orange.fr, gmail.com, free.fr, sfr.fr, laposte.net, wanadoo.fr, hotmail.fr, yahoo.fr, outlook.fr, bbox.fr"),
        keyboard="azerty",
        number_first=True,
    ),
    "IT": Locale(
        code="IT", country="IT", calling_code="39", trunk="", mobile_prefixes=("320", "328", "329", "333", "335", "338", "339", "340", "345", "347", "348", "349", "366", "380", "388", "392"), mobile_digits=10,
        male=_split("Giuseppe, Giovanni, Antonio, Mario, Luigi, Francesco, Angelo, Vincenzo, Pietro, Salvatore, Carlo, Franco, "
                    "Domenico, Bruno, Paolo, Michele, Giorgio, Andrea, Marco, Luca, Matteo, Lorenzo, Davide, Stefano, Alessandro, "
                    "Massimo, Roberto, Filippo, Gianluca, Giancarlo, Leonardo, Riccardo, Simone, Emanuele"),
        female=_split("Maria, Anna, Giuseppina, Rosa, Angela, Giovanna, Teresa, Lucia, Carmela, Caterina, Francesca, Alessandra, "
                      "Elisabetta, Federica, Chiara, Giulia, Sara, Martina, Valentina, Roberta, Paola, Laura, Silvia, Antonella, "
                      "Maria Grazia, Sofia, Aurora, Ginevra, Beatrice, Elena, Simona, Cristina"),
        surnames=_split("Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, "
                        "Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro, Mariani, Rinaldi, Caruso, "
                        "Ferrara, Galli, Martini, Leone, Longo, Gentile, Martinelli, Vitale, Lombardo, Serra, Coppola, De Santis, "
                        "D'Angelo, Marchetti, Parisi, Villa, Conte, Ferraro, Fabbri, Bianco, Marini, Grasso, Valentini, Messina, "
                        "Sala, De Angelis, Gatti, Pellegrini, Palumbo, Sanna, Farina, Monti, Cattaneo, Morelli, Amato, Di Stefano, "
                        "Di Pietro, D'Amico, Lo Russo, La Rosa"),
        streets=_split("Via Roma, Via Garibaldi, Via Mazzini, Via Cavour, Corso Italia, Via Dante Alighieri, Piazza della Repubblica, "
                       "Via Giuseppe Verdi, Via Marconi, Viale Europa, Via XX Settembre, Corso Vittorio Emanuele II, Via San Giovanni, "
                       "Via dei Mille, Piazza del Duomo, Via Nazionale, Via della Libertà, Via Manzoni, Viale della Vittoria, Via Appia Nuova"),
        towns=(
            Town("Roma", 118, 199, aliases=("Rome",)), Town("Milano", 20121, 20162, aliases=("Milan",)), Town("Napoli", 80121, 80147, aliases=("Naples",)),
            Town("Torino", 10121, 10156, aliases=("Turin",)), Town("Palermo", 90121, 90151), Town("Genova", 16121, 16167, aliases=("Genoa",)),
            Town("Bologna", 40121, 40141), Town("Firenze", 50121, 50145, aliases=("Florence",)), Town("Bari", 70121, 70132),
            Town("Catania", 95121, 95131), Town("Venezia", 30121, 30176, aliases=("Venice",)), Town("Verona", 37121, 37142),
        ),
        email_domains=_split("gmail.com, libero.it, hotmail.it, virgilio.it, alice.it, yahoo.it, tiscali.it, outlook.it, tin.it, email.it"),
        keyboard="qwerty",
    ),
    "PL": Locale(
        code="PL", country="PL", calling_code="48", trunk="", mobile_prefixes=("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"), mobile_digits=9,
        male=_split("Piotr, Krzysztof, Andrzej, Tomasz, Paweł, Michał, Marcin, Jakub, Łukasz, Grzegorz, Mateusz, Wojciech, "
                    "Stanisław, Aleksander, Jan, Kamil, Adam, Marek, Józef, Zbigniew, Dariusz, Rafał, Robert, Jacek, Szymon, Antoni"),
        female=_split("Anna, Katarzyna, Małgorzata, Agnieszka, Barbara, Ewa, Krystyna, Elżbieta, Magdalena, Joanna, Aleksandra, "
                      "Zofia, Maria, Monika, Natalia, Julia, Dorota, Agata, Beata, Iwona, Justyna, Karolina, Marta, Alicja"),
        surnames=_split("Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, Szymański, Woźniak, "
                        "Dąbrowski, Kozłowski, Jankowski, Mazur, Wojciechowski, Kwiatkowski, Krawczyk, Kaczmarek, Piotrowski, "
                        "Grabowski, Zając, Pawłowski, Michalski, Król, Wieczorek, Jabłoński, Wróbel, Nowakowski, Majewski, "
                        "Olszewski, Stępień, Malinowski, Jaworski, Adamczyk, Dudek, Nowicki, Pawlak, Górski, Witkowski, Walczak"),
        streets=_split("ul. Marszałkowska, ul. Piłsudskiego, ul. Mickiewicza, ul. Słowackiego, ul. Kościuszki, ul. Jana Pawła II, "
                       "ul. Długa, ul. Polna, ul. Lipowa, ul. Kwiatowa, ul. Ogrodowa, al. Jerozolimskie, ul. Sienkiewicza, "
                       "ul. Kolejowa, ul. Szkolna, ul. Leśna, ul. Słoneczna, ul. Krótka, ul. Warszawska, ul. Żeromskiego"),
        towns=(
            Town("Warszawa", 1, 4999, aliases=("Warsaw",)), Town("Kraków", 30001, 31999, aliases=("Krakow", "Cracow")),
            Town("Łódź", 90001, 94999, aliases=("Lodz",)), Town("Wrocław", 50001, 54999, aliases=("Wroclaw",)),
            Town("Poznań", 60001, 61999, aliases=("Poznan",)), Town("Gdańsk", 80001, 80999, aliases=("Gdansk",)),
            Town("Szczecin", 70001, 71999), Town("Lublin", 20001, 20999), Town("Katowice", 40001, 40999), Town("Bydgoszcz", 85001, 85999),
        ),
        email_domains=_split("gmail.com, wp.pl, o2.pl, onet.pl, interia.pl, op.pl, gazeta.pl, outlook.com, poczta.fm"),
        keyboard="qwerty",
    ),
    "CZ": Locale(
        code="CZ", country="CZ", calling_code="420", trunk="", mobile_prefixes=("601", "602", "603", "604", "605", "606", "607", "608", "702", "720", "721", "723", "724", "728", "731", "732", "736", "737", "739", "773", "774", "775", "777"), mobile_digits=9,
        male=_split("Jiří, Jan, Petr, Josef, Pavel, Martin, Tomáš, Jaroslav, Miroslav, Zdeněk, Václav, Michal, František, Jakub, "
                    "Lukáš, Ondřej, Vojtěch, Karel, Milan, David, Radek, Filip, Matěj"),
        female=_split("Jana, Marie, Eva, Hana, Anna, Lenka, Kateřina, Lucie, Věra, Petra, Alena, Jaroslava, Tereza, Veronika, "
                      "Markéta, Zuzana, Martina, Michaela, Ivana, Barbora, Eliška, Klára"),
        surnames=_split("Novák, Svoboda, Novotný, Dvořák, Černý, Procházka, Kučera, Veselý, Horák, Němec, Marek, Pokorný, Pospíšil, "
                        "Hájek, Jelínek, Král, Růžička, Beneš, Fiala, Sedláček, Doležal, Zeman, Kolář, Navrátil, Čermák, Urban, "
                        "Vaněk, Blažek, Kříž, Kovář"),
        streets=_split("Národní, Husova, Masarykova, Nádražní, Palackého, Komenského, Smetanova, Jiráskova, Školní, Zahradní, Krátká, "
                       "Nerudova, Vinohradská, Karlovo náměstí, Havlíčkova, Tyršova, Sokolská, Lidická, Pražská, Dlouhá"),
        towns=(
            Town("Praha", 10000, 19900, 100, aliases=("Prague", "Praha 4", "Praha 10")), Town("Brno", 60200, 64400, 100),
            Town("Ostrava", 70030, 72500, 100), Town("Plzeň", 30100, 32600, 100, aliases=("Plzen", "Pilsen")),
            Town("Liberec", 46001, 46015), Town("Olomouc", 77900, 77900), Town("České Budějovice", 37001, 37011, aliases=("Ceske Budejovice", "Budweis")),
            Town("Hradec Králové", 50002, 50012, aliases=("Hradec Kralove",)),
        ),
        email_domains=_split("seznam.cz, email.cz, gmail.com, centrum.cz, post.cz, volny.cz, atlas.cz, outlook.cz"),
        keyboard="qwertz",
    ),
    "ES": Locale(
        code="ES", country="ES", calling_code="34", trunk="", mobile_prefixes=("6", "6", "6", "71", "72", "73", "74"), mobile_digits=9,
        male=_split("José, Antonio, Manuel, Francisco, Juan, David, Javier, Jesús, Daniel, Carlos, Miguel, Alejandro, Rafael, Pedro, "
                    "Fernando, Ignacio, Enrique, José Luis, Juan Carlos, Guillermo, Alberto, Jorge, Pablo, Sergio, Hugo, Álvaro, Iker"),
        female=_split("María, María del Carmen, Ana, Isabel, Dolores, Pilar, Concepción, Mercedes, Rosario, Josefa, Francisca, Cristina, "
                      "Laura, Marta, Lucía, Elena, Raquel, Beatriz, Teresa, Montserrat, Guadalupe, Manuela, Paula, Nerea, Carmen"),
        surnames=_split("García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, Ruiz, Hernández, "
                        "Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, Gutiérrez, Navarro, Torres, Domínguez, Vázquez, Ramos, Gil, "
                        "Ramírez, Serrano, Blanco, Molina, Morales, Suárez, Ortega, Delgado, Castro, Ortiz, Rubio, Marín, Sanz, Núñez, "
                        "Iglesias, Medina, Garrido, Cortés, Castillo, Santos, Lozano, Guerrero, Cano, Prieto, Méndez, Calvo, Gallego, "
                        "Vidal, León, Herrera, Peña, Flores, Cabrera, Campos, Vega, Fuentes, de la Fuente, de la Cruz, del Río"),
        streets=_split("Calle Mayor, Calle Real, Gran Vía, Avenida de la Constitución, Calle de Alcalá, Plaza Mayor, Calle Nueva, "
                       "Calle del Sol, Avenida de Andalucía, Paseo de Gracia, Carrer de Balmes, Calle San Juan, Calle de la Iglesia, "
                       "Avenida de América, Calle Cervantes, Calle de Toledo, Rambla de Catalunya, Calle Colón, Paseo del Prado"),
        towns=(
            Town("Madrid", 28001, 28055), Town("Barcelona", 8001, 8042), Town("Valencia", 46001, 46026, aliases=("València",)),
            Town("Sevilla", 41001, 41020, aliases=("Seville",)), Town("Zaragoza", 50001, 50021), Town("Málaga", 29001, 29018, aliases=("Malaga",)),
            Town("Murcia", 30001, 30012), Town("Palma", 7001, 7015, aliases=("Palma de Mallorca",)), Town("Bilbao", 48001, 48015, aliases=("Bilbo",)),
            Town("Alicante", 3001, 3016, aliases=("Alacant",)), Town("Córdoba", 14001, 14014, aliases=("Cordoba",)), Town("Valladolid", 47001, 47016),
        ),
        email_domains=_split("gmail.com, hotmail.es, yahoo.es, telefonica.net, outlook.es, hotmail.com, movistar.es, ono.com"),
        keyboard="qwerty",
    ),
    "TR_DE": Locale(
        code="TR_DE", country="DE", calling_code="49", trunk="0", mobile_prefixes=("151", "152", "157", "159", "160", "162", "163", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179"), mobile_digits=11,
        male=_split("Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Hasan, İbrahim, Murat, Emre, Yusuf, Ömer, Burak, Can, Kemal, Serkan, "
                    "Abdullah, Osman, Cem, Deniz, Tolga, Erkan"),
        female=_split("Ayşe, Fatma, Emine, Hatice, Zeynep, Elif, Meryem, Özlem, Derya, Esra, Merve, Aylin, Selin, Gül, Sibel, Songül, Nesrin"),
        surnames=_split("Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan, Doğan, Kılıç, Aslan, Çetin, "
                        "Kara, Koç, Kurt, Özkan, Şimşek, Polat, Korkmaz, Erdoğan, Aksoy, Güneş, Akgül, Uçar"),
        streets=_split("Hauptstraße, Bahnhofstraße, Schillerstraße, Goethestraße, Gartenstraße, Lindenstraße, Berliner Straße, "
                       "Kölner Straße, Keupstraße, Sonnenallee, Kottbusser Damm, Weseler Straße, Hermannstraße, Marxloher Straße"),
        towns=(
            Town("Berlin", 10115, 14199), Town("Köln", 50667, 51149, aliases=("Koeln", "Cologne")), Town("Duisburg", 47051, 47279),
            Town("Frankfurt am Main", 60306, 60599, aliases=("Frankfurt", "Frankfurt a. M.")), Town("München", 80331, 81929, aliases=("Muenchen", "Munich")),
            Town("Hamburg", 20095, 22769), Town("Stuttgart", 70173, 70629), Town("Dortmund", 44135, 44388), Town("Essen", 45127, 45359),
            Town("Mannheim", 68159, 68309),
        ),
        email_domains=_split("gmail.com, gmx.de, web.de, hotmail.de, t-online.de, outlook.de, yahoo.de, icloud.com"),
        keyboard="qwertz",
    ),
}
"""The population's locales by key; TR_DE are Turkish families living in Germany."""

LOCALE_SHARES: dict[str, float] = {"NL": 0.22, "BE": 0.12, "FR": 0.16, "IT": 0.13, "PL": 0.11, "CZ": 0.07, "ES": 0.11, "TR_DE": 0.08}
"""Share of persons per locale."""

MIGRANT_SHARE = 0.06
"""Persons of one culture living in another locale's country (a Polish name at a Dutch address)."""

FEMININE_SURNAME: dict[str, str] = {
    # Czech: -ová / -á forms of the surnames above.
    "Novák": "Nováková", "Svoboda": "Svobodová", "Novotný": "Novotná", "Dvořák": "Dvořáková", "Černý": "Černá",
    "Procházka": "Procházková", "Kučera": "Kučerová", "Veselý": "Veselá", "Horák": "Horáková", "Němec": "Němcová",
    "Marek": "Marková", "Pokorný": "Pokorná", "Pospíšil": "Pospíšilová", "Hájek": "Hájková", "Jelínek": "Jelínková",
    "Král": "Králová", "Růžička": "Růžičková", "Beneš": "Benešová", "Fiala": "Fialová", "Sedláček": "Sedláčková",
    "Doležal": "Doležalová", "Zeman": "Zemanová", "Kolář": "Kolářová", "Navrátil": "Navrátilová", "Čermák": "Čermáková",
    "Urban": "Urbanová", "Vaněk": "Vaňková", "Blažek": "Blažková", "Kříž": "Křížová", "Kovář": "Kovářová",
}
"""Czech feminine surname forms; Polish -ski/-cki/-dzki become -ska/-cka/-dzka by rule (see people.py)."""

STREET_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("straat", "str."), ("Straße", "Str."), ("straße", "str."), ("Burgemeester ", "Burg. "), ("laan", "ln"),
    ("avenue ", "av. "), ("Avenue ", "Av. "), ("boulevard ", "bd "), ("Chaussée ", "Chée "), ("place ", "pl. "),
    ("Via ", "V. "), ("Viale ", "V.le "), ("Piazza ", "P.zza "), ("Corso ", "C.so "),
    ("ul. ", "ulica "), ("al. ", "aleja "), ("náměstí", "nám."),
    ("Calle ", "C/ "), ("Avenida ", "Avda. "), ("Plaza ", "Pza. "), ("Paseo ", "Pº "), ("Carrer ", "C/ "),
)
"""How clerks shorten (or, for Polish, spell out) street types; applied as the first match in the street."""

KEYBOARDS: dict[str, tuple[str, ...]] = {
    "qwerty": ("qwertyuiop", "asdfghjkl", "zxcvbnm"),
    "azerty": ("azertyuiop", "qsdfghjklm", "wxcvbn"),
    "qwertz": ("qwertzuiop", "asdfghjkl", "yxcvbnm"),
}
"""Letter rows of the keyboard layouts people of each locale type on."""

EMAIL_DOMAIN_TYPOS: dict[str, tuple[str, ...]] = {
    "gmail.com": ("gmial.com", "gmail.con", "gmai.com", "gmail.co"),
    "hotmail.com": ("hotmial.com", "hotmail.con", "hotmai.com"),
    "outlook.com": ("outlok.com",),
    "ziggo.nl": ("zigo.nl",),
    "orange.fr": ("orage.fr", "orange.fe"),
    "libero.it": ("libeor.it",),
    "seznam.cz": ("sezman.cz",),
    "wp.pl": ("wp.pll",),
    "telenet.be": ("telnet.be",),
    "gmx.de": ("gmx.d",),
}
"""Mistyped e-mail domains seen in hand-typed sign-ups."""

PLACEHOLDER_NATIONAL_IDS: tuple[str, ...] = ("000000000", "999999999", "123456789", "111111111", "00000000000")
"""Values clerks type when the form insists on a national id the customer did not give."""

PLACEHOLDER_PHONES: tuple[str, ...] = ("0000000000", "0123456789", "+00000000000")
"""Phone values typed to get past a required field."""
