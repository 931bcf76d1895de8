"""Names, streets, cities, shops and labels that look right for each country of the retailer (DE, CH, AT, NO, SE, DK).

Lists are ordered from common to rare: the generator draws from them with Zipf-like weights, so a
few names (Müller, Hansen, Andersson …) are shared by many different people, as in real life.
Every string fits into latin-1, because the ERP writes latin-1 files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A city and the postcode range its addresses use (`step` > 1 for Vienna's 1010, 1020 … districts)."""

    name: str
    postcode_from: int
    postcode_to: int
    step: int = 1


@dataclass(frozen=True)
class Store:
    """A physical store of the retailer."""

    store_id: str
    name: str
    city: str


@dataclass(frozen=True)
class Country:
    """Everything the generator needs to make a person and an address of one country look right."""

    code: str
    calling_code: str
    trunk_prefix: str
    mobile_prefixes: tuple[str, ...]
    phone_digits: int
    phone_groups: tuple[int, ...]
    postcode_digits: int
    currency: str
    currency_per_eur: float
    erp_names: tuple[str, ...]
    english_name: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[City, ...]
    email_domains: tuple[str, ...]
    stores: tuple[Store, ...]
    hyphenated_first_names: bool
    titles: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(",") if word.strip())


COUNTRIES: dict[str, Country] = {
    "DE": Country(
        code="DE",
        calling_code="49",
        trunk_prefix="0",
        mobile_prefixes=("160", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179"),
        phone_digits=10,
        phone_groups=(3, 7),
        postcode_digits=5,
        currency="EUR",
        currency_per_eur=1.0,
        erp_names=("Deutschland", "D", "DE"),
        english_name="Germany",
        male=_split(
            "Peter, Michael, Thomas, Andreas, Wolfgang, Klaus, Jürgen, Stefan, Christian, Uwe, Werner, Hans, Frank, Bernd, "
            "Matthias, Alexander, Martin, Jörg, Markus, Sebastian, Daniel, Tobias, Jan, Lukas, Felix, Maximilian, Jonas, Leon, "
            "Paul, Florian, Johannes, Robert, Dieter, Günter, Horst, Helmut, Rainer, Manfred, Joachim, Ralf, Dirk, Sven, Björn, "
            "Jens, Kai, Tim, Niklas, Moritz, Philipp, Benedikt, Friedrich, Karl, Heinz, Jakob"
        ),
        female=_split(
            "Ursula, Monika, Petra, Sabine, Andrea, Claudia, Susanne, Birgit, Gabriele, Karin, Renate, Stefanie, Julia, Anna, "
            "Katharina, Laura, Lena, Sarah, Lisa, Sophie, Marie, Hannah, Jana, Nicole, Sandra, Melanie, Christina, Elisabeth, "
            "Margarete, Ingrid, Helga, Brigitte, Jutta, Heike, Anja, Silke, Daniela, Franziska, Johanna, Charlotte, Emilia, Lea, "
            "Jessica, Kerstin, Martina, Barbara, Christiane, Doris, Gisela, Bärbel"
        ),
        last=_split(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer, Richter, "
            "Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, "
            "Schmitz, Krause, Meier, Lehmann, Schmid, Schulze, Maier, Köhler, Herrmann, König, Walter, Mayer, Huber, Kaiser, "
            "Fuchs, Peters, Lang, Scholz, Möller, Weiß, Jung, Hahn, Schubert, Vogel, Friedrich, Keller, Günther, Frank, Berger, "
            "Winkler, Roth, Beck, Lorenz, Baumann, Franke, Albrecht, Schuster, Simon, Ludwig, Böhm, Winter, Kraus, Martin, "
            "Schumacher, Krämer, Vogt, Stein, Jäger, Otto, Sommer, Groß, Seidel, Heinrich, Brandt, Haas, Schreiber, Graf, "
            "Schulte, Dietrich, Ziegler, Kuhn, Kühn, Pohl, Engel, Horn, Busch, Bergmann, Thomas, Voigt, Sauer, Arnold, Wolff, "
            "Pfeiffer, Strauß, Voß, Preuß, Nußbaum, Großmann, Özdemir, Yilmaz"
        ),
        streets=_split(
            "Hauptstraße, Bahnhofstraße, Schulstraße, Gartenstraße, Dorfstraße, Bergstraße, Lindenstraße, Birkenweg, "
            "Kirchstraße, Waldstraße, Ringstraße, Goethestraße, Schillerstraße, Mozartstraße, Friedrichstraße, Am Markt, "
            "Mühlenweg, Rosenstraße, Feldstraße, Wiesenweg, Poststraße, Lange Straße, Jahnstraße, Am Sportplatz, "
            "Königsallee, Große Bäckerstraße, Uhlandstraße, Luisenstraße, Eichendorffstraße, Kastanienallee"
        ),
        cities=(
            City("Berlin", 10115, 14199),
            City("Hamburg", 20095, 22769),
            City("München", 80331, 81929),
            City("Köln", 50667, 51149),
            City("Frankfurt am Main", 60306, 60599),
            City("Stuttgart", 70173, 70629),
            City("Düsseldorf", 40210, 40629),
            City("Leipzig", 4103, 4357),
            City("Dresden", 1067, 1328),
            City("Hannover", 30159, 30659),
            City("Nürnberg", 90402, 90491),
            City("Bremen", 28195, 28779),
            City("Essen", 45127, 45359),
            City("Dortmund", 44135, 44388),
            City("Freiburg im Breisgau", 79098, 79117),
            City("Münster", 48143, 48167),
            City("Mannheim", 68159, 68309),
            City("Augsburg", 86150, 86199),
            City("Kiel", 24103, 24159),
            City("Rostock", 18055, 18147),
            City("Würzburg", 97070, 97084),
            City("Regensburg", 93047, 93059),
            City("Bonn", 53111, 53229),
            City("Lübeck", 23552, 23570),
            City("Göttingen", 37073, 37085),
            City("Saarbrücken", 66111, 66133),
        ),
        email_domains=("gmx.de", "web.de", "t-online.de", "gmail.com", "outlook.de", "yahoo.de", "freenet.de", "posteo.de", "icloud.com"),
        stores=(
            Store("DE-BER-01", "Berlin Alexanderplatz", "Berlin"),
            Store("DE-HAM-01", "Hamburg Mönckebergstraße", "Hamburg"),
            Store("DE-MUC-01", "München Kaufingerstraße", "München"),
            Store("DE-KOE-01", "Köln Schildergasse", "Köln"),
            Store("DE-FRA-01", "Frankfurt Zeil", "Frankfurt am Main"),
            Store("DE-STR-01", "Stuttgart Königstraße", "Stuttgart"),
            Store("DE-DUS-01", "Düsseldorf Schadowstraße", "Düsseldorf"),
            Store("DE-LEJ-01", "Leipzig Petersstraße", "Leipzig"),
        ),
        hyphenated_first_names=True,
        titles=("Dr.", "Dr.", "Dr.", "Prof. Dr.", "Dipl.-Ing."),
    ),
    "CH": Country(
        code="CH",
        calling_code="41",
        trunk_prefix="0",
        mobile_prefixes=("75", "76", "77", "78", "79"),
        phone_digits=9,
        phone_groups=(2, 3, 2, 2),
        postcode_digits=4,
        currency="CHF",
        currency_per_eur=0.95,
        erp_names=("Schweiz", "CH", "CH"),
        english_name="Switzerland",
        male=_split(
            "Daniel, Peter, Thomas, Martin, Hans, Christian, Andreas, Marco, Stefan, Markus, Urs, Beat, Reto, Lukas, Luca, "
            "Noah, Jonas, Simon, David, Michael, René, Jean-Pierre, Pascal, Nicolas, Matthias, Fabian, Adrian, Patrick, "
            "Samuel, Rolf, Ulrich, Jakob, Johannes, Walter, Bruno"
        ),
        female=_split(
            "Maria, Anna, Ursula, Ruth, Elisabeth, Sandra, Monika, Daniela, Nicole, Andrea, Barbara, Laura, Sarah, Lea, Mia, "
            "Julia, Céline, Chantal, Nathalie, Sophie, Verena, Regula, Franziska, Corinne, Brigitte, Esther, Sabrina, Manuela, "
            "Jacqueline, Katharina"
        ),
        last=_split(
            "Müller, Meier, Schmid, Keller, Weber, Huber, Schneider, Meyer, Steiner, Fischer, Gerber, Brunner, Baumann, Frei, "
            "Zimmermann, Moser, Widmer, Wyss, Graf, Roth, Suter, Baumgartner, Bachmann, Studer, Bühler, Kälin, Rochat, Favre, "
            "Bianchi, Rossi, Ammann, Lüthi, Zürcher, Gasser, Hofer, Kaufmann, Marti, Egli, Kunz, Lehmann, Bieri, Sutter, Hess, "
            "Hürlimann, Tanner, Berset, Perrin, Girard, Bernasconi, Fontana, Mettler, Vogel, Schärer, Käser, Flückiger, Schürch"
        ),
        streets=_split(
            "Bahnhofstrasse, Hauptstrasse, Dorfstrasse, Kirchweg, Seestrasse, Bergstrasse, Schulhausstrasse, Rosenweg, "
            "Gartenstrasse, Oberdorfstrasse, Industriestrasse, Rue du Lac, Rue de la Gare, Avenue de la Gare, Chemin des Vignes, "
            "Via Cantonale, Via San Gottardo, Zürcherstrasse, Löwenstrasse, Limmatquai, Spalenberg, Marktgasse, Kramgasse, "
            "Freiestrasse, Rue du Rhône"
        ),
        cities=(
            City("Zürich", 8001, 8057),
            City("Genève", 1201, 1209),
            City("Basel", 4001, 4059),
            City("Bern", 3001, 3027),
            City("Lausanne", 1003, 1018),
            City("Winterthur", 8400, 8411),
            City("Luzern", 6003, 6015),
            City("St. Gallen", 9000, 9016),
            City("Lugano", 6900, 6908),
            City("Biel/Bienne", 2500, 2505),
            City("Thun", 3600, 3608),
            City("Zug", 6300, 6304),
            City("Schaffhausen", 8200, 8208),
            City("Chur", 7000, 7007),
            City("Fribourg", 1700, 1709),
            City("Aarau", 5000, 5004),
        ),
        email_domains=("bluewin.ch", "gmx.ch", "gmail.com", "hispeed.ch", "sunrise.ch", "outlook.com", "icloud.com"),
        stores=(
            Store("CH-ZRH-01", "Zürich Bahnhofstrasse", "Zürich"),
            Store("CH-BSL-01", "Basel Freie Strasse", "Basel"),
            Store("CH-BRN-01", "Bern Marktgasse", "Bern"),
            Store("CH-GVA-01", "Genève Rue du Marché", "Genève"),
            Store("CH-LUZ-01", "Luzern Weggisgasse", "Luzern"),
        ),
        hyphenated_first_names=True,
        titles=("Dr.", "Dr.", "Prof. Dr."),
    ),
    "AT": Country(
        code="AT",
        calling_code="43",
        trunk_prefix="0",
        mobile_prefixes=("650", "660", "664", "676", "680", "699"),
        phone_digits=10,
        phone_groups=(3, 7),
        postcode_digits=4,
        currency="EUR",
        currency_per_eur=1.0,
        erp_names=("Österreich", "A", "AT"),
        english_name="Austria",
        male=_split(
            "Michael, Thomas, Andreas, Stefan, Christian, Markus, Martin, Johann, Franz, Josef, Wolfgang, Gerhard, Manfred, "
            "Karl, Alexander, Daniel, Lukas, David, Tobias, Florian, Maximilian, Jakob, Elias, Matthias, Dominik, Bernhard, "
            "Günther, Herbert, Helmut, Christoph, Johannes, Robert"
        ),
        female=_split(
            "Maria, Anna, Elisabeth, Christina, Sabine, Claudia, Katharina, Barbara, Andrea, Monika, Julia, Sarah, Lisa, Laura, "
            "Hannah, Sophie, Lena, Theresa, Magdalena, Johanna, Birgit, Petra, Brigitte, Karin, Gertraud, Renate, Ingrid, "
            "Elfriede, Anneliese, Michaela"
        ),
        last=_split(
            "Gruber, Huber, Bauer, Wagner, Müller, Pichler, Steiner, Moser, Mayer, Hofer, Leitner, Berger, Fuchs, Eder, "
            "Fischer, Schmid, Winkler, Weber, Schwarz, Maier, Schneider, Reiter, Mayr, Schmidt, Wimmer, Egger, Brunner, Lang, "
            "Baumgartner, Auer, Binder, Lechner, Wolf, Wallner, Aigner, Ebner, Koller, Lehner, Haas, Schuster, Holzer, Strauß, "
            "Pölzl, Grünwald, Stöger, Hölzl, Mühlbacher, Wöhrer, Weiß, Kößler"
        ),
        streets=_split(
            "Hauptstraße, Bahnhofstraße, Kirchengasse, Schulgasse, Mariahilfer Straße, Landstraßer Hauptstraße, "
            "Favoritenstraße, Währinger Straße, Grazer Straße, Linzer Straße, Salzburger Straße, Getreidegasse, Herrengasse, "
            "Wiener Straße, Dorfstraße, Feldgasse, Lindengasse, Praterstraße, Ottakringer Straße, Annenstraße, "
            "Maria-Theresien-Straße, Sackstraße"
        ),
        cities=(
            City("Wien", 1010, 1230, 10),
            City("Graz", 8010, 8055),
            City("Linz", 4020, 4040),
            City("Salzburg", 5020, 5026),
            City("Innsbruck", 6020, 6080),
            City("Klagenfurt am Wörthersee", 9020, 9073),
            City("Villach", 9500, 9524),
            City("Wels", 4600, 4600),
            City("St. Pölten", 3100, 3109),
            City("Dornbirn", 6850, 6850),
            City("Steyr", 4400, 4400),
            City("Wiener Neustadt", 2700, 2700),
            City("Bregenz", 6900, 6900),
            City("Leoben", 8700, 8700),
        ),
        email_domains=("gmx.at", "aon.at", "chello.at", "gmail.com", "a1.net", "outlook.com", "icloud.com"),
        stores=(
            Store("AT-VIE-01", "Wien Mariahilfer Straße", "Wien"),
            Store("AT-VIE-02", "Wien Kärntner Straße", "Wien"),
            Store("AT-GRZ-01", "Graz Herrengasse", "Graz"),
            Store("AT-LNZ-01", "Linz Landstraße", "Linz"),
            Store("AT-SZG-01", "Salzburg Getreidegasse", "Salzburg"),
            Store("AT-INN-01", "Innsbruck Maria-Theresien-Straße", "Innsbruck"),
        ),
        hyphenated_first_names=True,
        titles=("Mag.", "Mag.", "Dr.", "Dr.", "DI", "Prof. Dr."),
    ),
    "NO": Country(
        code="NO",
        calling_code="47",
        trunk_prefix="",
        mobile_prefixes=("40", "41", "46", "47", "48", "90", "91", "92", "93", "94", "95", "97", "98"),
        phone_digits=8,
        phone_groups=(2, 2, 2, 2),
        postcode_digits=4,
        currency="NOK",
        currency_per_eur=11.5,
        erp_names=("Norwegen", "N", "NO"),
        english_name="Norway",
        male=_split(
            "Jan, Per, Bjørn, Ole, Lars, Kjell, Knut, Arne, Svein, Hans, Thomas, Geir, Tor, Morten, Terje, Odd, Erik, Jon, "
            "Anders, Rune, Trond, Magnus, Henrik, Jonas, Emil, Sander, Oskar, Kristian, Håkon, Øyvind, Espen, Eirik, Sindre, "
            "Stian, Jørgen, Kristoffer"
        ),
        female=_split(
            "Anne, Inger, Kari, Marit, Ingrid, Liv, Eva, Berit, Astrid, Bjørg, Hilde, Anna, Solveig, Marianne, Randi, Ida, "
            "Nina, Elisabeth, Kristin, Bente, Heidi, Silje, Ingeborg, Nora, Emma, Sara, Thea, Maja, Ingvild, Tone, Åse, "
            "Grethe, Sigrid, Karoline, Camilla"
        ),
        last=_split(
            "Hansen, Johansen, Olsen, Larsen, Andersen, Pedersen, Nilsen, Kristiansen, Jensen, Karlsen, Johnsen, Pettersen, "
            "Eriksen, Berg, Haugen, Hagen, Johannessen, Andreassen, Jacobsen, Dahl, Jørgensen, Halvorsen, Henriksen, Lund, "
            "Sørensen, Jakobsen, Moen, Gundersen, Iversen, Strand, Solberg, Svendsen, Eide, Knutsen, Martinsen, Paulsen, "
            "Bakken, Kristoffersen, Mathisen, Lie, Amundsen, Nguyen, Rasmussen, Lunde, Solheim, Berge, Moe, Nygård, Bakke, "
            "Kristensen, Fredriksen, Holm, Lien, Hauge, Christensen, Andresen, Nielsen, Knudsen, Evensen, Sæther, Aas, Myhre, "
            "Hanssen, Ødegård, Ellingsen, Tangen"
        ),
        streets=_split(
            "Storgata, Kirkegata, Skolegata, Bygdøy allé, Thorvald Meyers gate, Markveien, Grensen, Bogstadveien, "
            "Kongens gate, Dronningens gate, Strandgata, Parkveien, Sjøgata, Løkkeveien, Nygårdsgaten, Torggata, "
            "Olav Tryggvasons gate, Kirkeveien, Fjellveien, Bakkegata, Havnegata, Tollbugata, Møllergata"
        ),
        cities=(
            City("Oslo", 150, 1295),
            City("Bergen", 5003, 5268),
            City("Trondheim", 7010, 7099),
            City("Stavanger", 4005, 4099),
            City("Drammen", 3011, 3048),
            City("Fredrikstad", 1601, 1639),
            City("Kristiansand", 4608, 4639),
            City("Tromsø", 9006, 9024),
            City("Sandnes", 4306, 4329),
            City("Ålesund", 6002, 6030),
            City("Bodø", 8003, 8041),
            City("Tønsberg", 3110, 3127),
        ),
        email_domains=("online.no", "gmail.com", "hotmail.com", "outlook.com", "icloud.com", "live.no"),
        stores=(
            Store("NO-OSL-01", "Oslo Karl Johans gate", "Oslo"),
            Store("NO-BGO-01", "Bergen Torgallmenningen", "Bergen"),
            Store("NO-TRD-01", "Trondheim Nordre gate", "Trondheim"),
            Store("NO-SVG-01", "Stavanger Kirkegata", "Stavanger"),
        ),
        hyphenated_first_names=False,
        titles=(),
    ),
    "SE": Country(
        code="SE",
        calling_code="46",
        trunk_prefix="0",
        mobile_prefixes=("70", "72", "73", "76", "79"),
        phone_digits=9,
        phone_groups=(2, 3, 2, 2),
        postcode_digits=5,
        currency="SEK",
        currency_per_eur=11.2,
        erp_names=("Schweden", "S", "SE"),
        english_name="Sweden",
        male=_split(
            "Lars, Mikael, Anders, Johan, Per, Erik, Karl, Peter, Jan, Thomas, Daniel, Fredrik, Hans, Bengt, Magnus, Mats, "
            "Stefan, Nils, Bo, Jonas, Oscar, William, Lucas, Hugo, Elias, Alexander, Liam, Viktor, Björn, Göran, Gunnar, Sven, "
            "Åke, Olof, Ulf, Kent, Leif, Joakim"
        ),
        female=_split(
            "Anna, Eva, Maria, Karin, Sara, Kristina, Lena, Emma, Kerstin, Ingrid, Marie, Malin, Jenny, Birgitta, Inger, "
            "Annika, Linnéa, Elsa, Alice, Maja, Wilma, Ebba, Sofia, Hanna, Ida, Astrid, Margareta, Elisabeth, Ulla, Britt, "
            "Gunilla, Camilla, Helena, Åsa, Märta, Katarina"
        ),
        last=_split(
            "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, Svensson, Gustafsson, Pettersson, "
            "Jonsson, Jansson, Hansson, Bengtsson, Jönsson, Lindberg, Jakobsson, Magnusson, Olofsson, Lindström, Lindqvist, "
            "Lindgren, Berg, Axelsson, Bergström, Lundberg, Lind, Lundgren, Lundqvist, Mattsson, Berglund, Fredriksson, "
            "Sandberg, Henriksson, Forsberg, Sjöberg, Wallin, Engström, Eklund, Danielsson, Lundin, Håkansson, Björk, "
            "Bergman, Gunnarsson, Holm, Wikström, Samuelsson, Isaksson, Fransson, Bergqvist, Nyström, Holmberg, Arvidsson, "
            "Löfgren, Söderberg, Nyberg, Blomqvist, Claesson, Nordström, Mårtensson, Lundström, Åberg, Öberg, Ström"
        ),
        streets=_split(
            "Storgatan, Drottninggatan, Kungsgatan, Sveavägen, Götgatan, Hornsgatan, Vasagatan, Kyrkogatan, Skolgatan, "
            "Järnvägsgatan, Nygatan, Östra Hamngatan, Västra Vägen, Parkvägen, Torggatan, Björkvägen, Ringvägen, "
            "Södra Förstadsgatan, Linnégatan, Åsögatan, Sankt Eriksgatan, Fleminggatan"
        ),
        cities=(
            City("Stockholm", 11120, 11895),
            City("Göteborg", 41101, 41879),
            City("Malmö", 21111, 21874),
            City("Uppsala", 75103, 75655),
            City("Västerås", 72130, 72482),
            City("Örebro", 70210, 70375),
            City("Linköping", 58102, 58941),
            City("Helsingborg", 25002, 25669),
            City("Jönköping", 55302, 55627),
            City("Norrköping", 60202, 60379),
            City("Lund", 22220, 22738),
            City("Umeå", 90302, 90754),
            City("Gävle", 80250, 80649),
        ),
        email_domains=("telia.com", "gmail.com", "hotmail.com", "outlook.com", "icloud.com", "bredband.net"),
        stores=(
            Store("SE-STO-01", "Stockholm Drottninggatan", "Stockholm"),
            Store("SE-GOT-01", "Göteborg Kungsgatan", "Göteborg"),
            Store("SE-MMA-01", "Malmö Södergatan", "Malmö"),
            Store("SE-UPP-01", "Uppsala Svartbäcksgatan", "Uppsala"),
        ),
        hyphenated_first_names=False,
        titles=(),
    ),
    "DK": Country(
        code="DK",
        calling_code="45",
        trunk_prefix="",
        mobile_prefixes=tuple(  # Danish numbers 2x0…, 300… are unassigned
            f"{block}{digit}" for block in ("20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "40", "41", "42", "50", "51", "52", "53", "60", "61") for digit in "123456789"
        ),
        phone_digits=8,
        phone_groups=(2, 2, 2, 2),
        postcode_digits=4,
        currency="DKK",
        currency_per_eur=7.45,
        erp_names=("Dänemark", "DK", "DK"),
        english_name="Denmark",
        male=_split(
            "Peter, Jens, Lars, Michael, Henrik, Søren, Thomas, Jan, Niels, Morten, Jesper, Anders, Rasmus, Martin, Christian, "
            "Hans, Mads, Mikkel, Frederik, Jakob, Emil, Oliver, William, Lucas, Magnus, Kasper, Jørgen, Poul, Ole, Kim, Bent, "
            "Erik, Torben, Bo, Steen"
        ),
        female=_split(
            "Anne, Kirsten, Mette, Hanne, Susanne, Lene, Marianne, Camilla, Pia, Louise, Charlotte, Tina, Maria, Karen, Bente, "
            "Helle, Inge, Gitte, Ida, Emma, Freja, Clara, Sofie, Laura, Julie, Mathilde, Signe, Line, Birgitte, Jette, Lone, "
            "Dorthe, Ulla, Rikke, Malene"
        ),
        last=_split(
            "Nielsen, Jensen, Hansen, Pedersen, Andersen, Christensen, Larsen, Sørensen, Rasmussen, Jørgensen, Petersen, "
            "Madsen, Kristensen, Olsen, Thomsen, Christiansen, Poulsen, Johansen, Møller, Mortensen, Knudsen, Jakobsen, "
            "Jacobsen, Mikkelsen, Olesen, Frederiksen, Laursen, Henriksen, Lund, Schmidt, Holm, Kristiansen, Clausen, "
            "Simonsen, Svendsen, Andreasen, Iversen, Jeppesen, Vestergaard, Mogensen, Nissen, Lauridsen, Kjær, Jepsen, Bech, "
            "Østergaard, Dam, Søndergaard, Bak, Munk, Krogh, Skov, Friis, Kjeldsen, Bruun, Lassen, Nørgaard, Bonde, Dahl, "
            "Høj, Bang"
        ),
        streets=_split(
            "Vestergade, Østergade, Nørregade, Søndergade, Jernbanegade, Algade, Bredgade, Nørrebrogade, Vesterbrogade, "
            "Amagerbrogade, Østerbrogade, Kongensgade, Skolegade, Kirkevej, Parkvej, Møllevej, Strandvejen, "
            "Frederiksberg Allé, Åboulevarden, Havnegade, Klostergade, Torvegade"
        ),
        cities=(
            City("København K", 1050, 1473),
            City("København Ø", 2100, 2100),
            City("København N", 2200, 2200),
            City("Frederiksberg", 1800, 2000),
            City("Aarhus C", 8000, 8000),
            City("Aarhus N", 8200, 8200),
            City("Odense C", 5000, 5000),
            City("Aalborg", 9000, 9000),
            City("Esbjerg", 6700, 6700),
            City("Randers", 8900, 8900),
            City("Kolding", 6000, 6000),
            City("Horsens", 8700, 8700),
            City("Vejle", 7100, 7100),
            City("Roskilde", 4000, 4000),
            City("Herning", 7400, 7400),
            City("Silkeborg", 8600, 8600),
        ),
        email_domains=("mail.dk", "gmail.com", "hotmail.com", "outlook.dk", "jubii.dk", "icloud.com", "live.dk"),
        stores=(
            Store("DK-CPH-01", "København Strøget", "København K"),
            Store("DK-AAR-01", "Aarhus Søndergade", "Aarhus C"),
            Store("DK-ODE-01", "Odense Vestergade", "Odense C"),
            Store("DK-AAL-01", "Aalborg Bispensgade", "Aalborg"),
        ),
        hyphenated_first_names=False,
        titles=(),
    ),
}
"""The retailer's countries by ISO code."""

COUNTRY_SHARES: dict[str, float] = {"DE": 0.36, "CH": 0.16, "AT": 0.12, "SE": 0.13, "NO": 0.12, "DK": 0.11}
"""Share of persons living in each country."""

NICKNAMES: dict[str, tuple[str, ...]] = {
    # Written for the generator alone (issue 12): the matcher keeps its own, separately written variant table,
    # so accuracy on this sample does not measure the matcher against a copy of its own vocabulary.
    # DACH: regional diminutives (Bavarian/Austrian -l/-erl, Swiss -i/-u, northern short forms).
    "Peter": ("Pit", "Peda"),
    "Michael": ("Michi", "Michl"),
    "Thomas": ("Thomi", "Tommi"),
    "Andreas": ("Res", "Anderl", "Andy"),
    "Wolfgang": ("Wolfi",),
    "Klaus": ("Klausi",),
    "Stefan": ("Steff",),
    "Christian": ("Chrigel", "Chrischi"),
    "Frank": ("Franky",),
    "Bernd": ("Berndi",),
    "Matthias": ("Hias", "Thias", "Matti"),
    "Alexander": ("Xandi", "Sascha"),
    "Martin": ("Tinu", "Mardl"),
    "Markus": ("Mark",),
    "Sebastian": ("Wastl", "Sebi"),
    "Daniel": ("Dany",),
    "Tobias": ("Tobse",),
    "Lukas": ("Luki",),
    "Maximilian": ("Maxi", "Maxl"),
    "Florian": ("Flo", "Flori"),
    "Johannes": ("Hannes", "Schang"),
    "Johann": ("Hannes", "Schani"),
    "Robert": ("Robi", "Bertl"),
    "Dieter": ("Didi",),
    "Günter": ("Günni",),
    "Günther": ("Günni",),
    "Manfred": ("Manni", "Fredl"),
    "Joachim": ("Achim",),
    "Friedrich": ("Friedl", "Fritz"),
    "Franz": ("Franzl", "Ferdl"),
    "Josef": ("Pepi", "Beppo"),
    "Karl": ("Karli",),
    "Jakob": ("Jaki", "Jockel"),
    "Philipp": ("Phipu", "Phil"),
    "Benedikt": ("Benni",),
    "Niklas": ("Nik",),
    "Moritz": ("Mo",),
    "Hans": ("Hansi",),
    "Paul": ("Pauli",),
    "Ulrich": ("Uli",),
    "Urs": ("Ursli",),
    "Walter": ("Walti",),
    "Bernhard": ("Bernie",),
    "Gerhard": ("Gerd", "Hardy"),
    "Herbert": ("Herbie",),
    "Dominik": ("Domi",),
    "Christoph": ("Stoffel",),
    "Samuel": ("Sämi",),
    "Ursula": ("Uschi", "Ursi"),
    "Monika": ("Moni",),
    "Sabine": ("Bine",),
    "Susanne": ("Suse", "Susa"),
    "Birgit": ("Gitti", "Biggi"),
    "Gabriele": ("Gaby",),
    "Renate": ("Reni",),
    "Stefanie": ("Fanny",),
    "Julia": ("Jule", "Juli"),
    "Katharina": ("Kati", "Kathrin", "Tinka"),
    "Elisabeth": ("Sissi", "Betty", "Liesl"),
    "Margarete": ("Gretel", "Maggie"),
    "Christina": ("Christl", "Nina"),
    "Christiane": ("Jane",),
    "Franziska": ("Fanni", "Ziska"),
    "Johanna": ("Hanni", "Jojo"),
    "Charlotte": ("Lotti", "Charly"),
    "Barbara": ("Babs", "Bärbel"),
    "Daniela": ("Ela",),
    "Nicole": ("Nicky",),
    "Theresa": ("Resl", "Tessa"),
    "Magdalena": ("Leni", "Lenerl"),
    "Maria": ("Mizzi", "Mia"),
    "Anna": ("Anni", "Nannerl"),
    "Elfriede": ("Friedl",),
    "Gertraud": ("Traudl", "Gerti"),
    "Anneliese": ("Liesl",),
    "Michaela": ("Michi",),
    "Verena": ("Vreneli",),
    "Sophie": ("Sofi",),
    "Jacqueline": ("Jacky",),
    "Manuela": ("Manu",),
    "Sabrina": ("Sabsi",),
    "Gisela": ("Gisi",),
    # Nordic: the -e/-an forms of Swedish, Norwegian and Danish everyday speech.
    "Lars": ("Lasse",),
    "Mikael": ("Mikke",),
    "Fredrik": ("Freddy",),
    "Joakim": ("Kim",),
    "Magnus": ("Manne",),
    "Per": ("Pelle",),
    "Kristoffer": ("Toffe",),
    "Kristian": ("Krille",),
    "Henrik": ("Rikki",),
    "Gunnar": ("Gurra",),
    "Bengt": ("Bengan",),
    "Göran": ("Göte",),
    "Frederik": ("Freddie",),
    "Mikkel": ("Mik",),
    "Niels": ("Nisse",),
    "Oskar": ("Ossi",),
    "Håkon": ("Hakke",),
    "Kristina": ("Kicki", "Stina"),
    "Katarina": ("Kattis",),
    "Margareta": ("Greta", "Meta"),
    "Birgitta": ("Bittan",),
    "Camilla": ("Cami",),
    "Annika": ("Anki",),
    "Astrid": ("Assi",),
    "Karoline": ("Lina", "Karo"),
    "Ingeborg": ("Inge",),
    "Marianne": ("Janne",),
    "Louise": ("Lou",),
    "Gunilla": ("Gun",),
    "Solveig": ("Solle",),
}
"""Nicknames and short forms people use instead of their first name (the generator's own table)."""

PRODUCTS: tuple[tuple[str, str, float], ...] = (
    ("SKU-100101", "Merino-Pullover", 89.90),
    ("SKU-100102", "Daunenjacke", 199.00),
    ("SKU-100103", "Jeans Slim Fit", 69.90),
    ("SKU-100104", "Leinenhemd", 49.90),
    ("SKU-100105", "Sneaker Classic", 79.90),
    ("SKU-100106", "Wollmütze", 19.90),
    ("SKU-100107", "Regenjacke", 129.00),
    ("SKU-100108", "T-Shirt Bio-Baumwolle", 19.90),
    ("SKU-100109", "Socken 5er-Pack", 14.90),
    ("SKU-100110", "Kaschmirschal", 59.90),
    ("SKU-200201", "Bettwäsche-Set Satin", 79.90),
    ("SKU-200202", "Kaffeebecher 4er-Set", 24.90),
    ("SKU-200203", "Duftkerze Zeder", 16.90),
    ("SKU-200204", "Wolldecke", 69.90),
    ("SKU-200205", "Handtuch-Set", 39.90),
    ("SKU-200206", "Kissenhülle Leinen", 22.90),
    ("SKU-200207", "Glasvase", 34.90),
    ("SKU-200208", "Schneidebrett Eiche", 29.90),
    ("SKU-300301", "Lederhandschuhe", 49.90),
    ("SKU-300302", "Rucksack Canvas", 89.90),
    ("SKU-300303", "Sonnenbrille", 59.90),
    ("SKU-300304", "Gürtel Leder", 39.90),
)
"""The retailer's catalogue: SKU, name and price in EUR."""

PRODUCT_CATEGORIES: dict[str, str] = {"SKU-1": "Bekleidung", "SKU-2": "Wohnen", "SKU-3": "Accessoires"}
"""The catalogue's categories by SKU prefix (the shop, the tills and web analytics share the retailer's category tree)."""

COUPON_CAMPAIGNS: tuple[str, ...] = ("FRUEHLING25", "SOMMER-SALE", "WILLKOMMEN10", "TREUE-BONUS", "HERBST20")
"""Promotion campaigns coupons belong to."""

SUPPORT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Reklamation": ("Artikel defekt geliefert", "Naht nach einer Wäsche gerissen", "Reklamation zu Bestellung {order}"),
    "Beschwerde": ("Unfreundliche Beratung in der Filiale", "Beschwerde: Erstattung fehlt noch", "Warum dauert das so lange?"),
    "Lieferproblem": ("Paket nicht angekommen", "Lieferung zu Bestellung {order} verspätet", "Falscher Artikel geliefert"),
    "Retoure": ("Retourenlabel fehlt", "Rücksendung zu {order}, wann kommt das Geld?", "Umtausch gegen andere Grösse"),
    "Frage": ("Frage zur Grösse", "Gibt es den Pullover auch in Blau?", "Öffnungszeiten über Ostern?"),
    "Rechnung": ("Rechnung doppelt erhalten", "Mahnung, obwohl bezahlt", "Rechnungsadresse ändern"),
    "Feedback": ("Super Service, danke!", "Vorschlag: mehr Grössen online", "Great service, thank you", "Feedback zur neuen Filiale"),
    "Lob": ("Tolle Beratung, vielen Dank", "Schnelle Lieferung, top"),
    "Complaint": ("Item arrived damaged", "Complaint about order {order}", "Refund still missing"),
    "Delivery issue": ("Parcel not delivered", "Order {order} is late", "Wrong item in my parcel"),
    "Return": ("How do I return {order}?", "Return label missing"),
    "Question": ("Do you ship to Iceland?", "Question about sizes", "Can I change my address?"),
    "Billing": ("Invoice received twice", "Reminder although I paid"),
}
"""Support desk categories (the desk's own labels, German and English) with typical subjects."""

SUPPORT_LABELS: dict[str, str] = {
    "Reklamation": "complaint",
    "Beschwerde": "complaint",
    "Lieferproblem": "complaint",
    "Complaint": "complaint",
    "Delivery issue": "complaint",
    "Feedback": "feedback",
    "Lob": "feedback",
    "Frage": "support_request",
    "Question": "support_request",
    "Retoure": "support_request",
    "Return": "support_request",
    "Rechnung": "support_request",
    "Billing": "support_request",
}
"""Support category -> taxonomy event type (conf/sources.yaml repeats this mapping)."""

UNMAPPED_SUPPORT_LABEL = "Sonstiges"
"""A catch-all category the taxonomy has no event type for: silver quarantines it."""

RETURN_REASONS: tuple[str, ...] = (
    "zu gross",
    "zu klein",
    "defekt",
    "gefällt nicht",
    "falscher Artikel",
    "Lieferung zu spät",
    "wrong size",
    "damaged",
    "not as described",
    "changed my mind",
)
"""Reason labels the logistics partner records for a return."""
