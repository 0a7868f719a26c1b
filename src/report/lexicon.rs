//! The words the extractor knows, per language: event cues, count nouns, qualifiers, number
//! words, months, weekdays and relative days. Written folded ([`super::text::fold`]: lowercase,
//! one alef, ه for ة, ي for final ى, е for ё).
//!
//! A cue is a phrase of stems separated by spaces; a stem matches a word that starts with it,
//! and a stem ending in `$` only the word itself. Arabic words are also tried without their
//! proclitics ([`super::text::arabic_forms`]).

use crate::model::Category;

use super::{CountKind, Qualifier};

/// Words that say what happened. When a sentence has several, [`CATEGORY_ORDER`] decides.
pub const CATEGORY_CUES: &[(Category, &[&str])] = &[
    (
        Category::Protest,
        &[
            // en
            "protest",
            "demonstrat",
            "rally$",
            "rallies$",
            "rallied$",
            "marched$",
            "picket",
            "strikers$",
            "walkout",
            "gathered$",
            "собрались$",
            "жиналды",
            "жиналған",
            "жиналып",
            // ru
            "протест",
            "митинг",
            "демонстрац",
            "забастов",
            "пикет",
            "шестви",
            "манифестац",
            // "акции протеста", and "акции" alone for the same ("акции прошли в Хромтау");
            // not акционер, акциз
            "акция",
            "акции",
            "акций",
            "акцию",
            "акциях",
            // kk
            "наразы",
            "шеру",
            "ереуіл",
            "жиынға",
            "алаңға жиналд",
            "көшеге шық",
            "көшелерге шық",
            "алаңға шық",
            "аштық жариял",
            // blocking a road, a form of protest ACLED codes as one
            "blocked the road",
            "blocked a road",
            "blocked the highway",
            "blocked roads",
            "blocked the rail",
            "blocked a rail",
            "перекрыли железн",
            "темір жолды жауып",
            "اغلقوا الطريق",
            "اغلق محتجون",
            "перекрыли трассу",
            "перекрыли дорогу",
            "перекрыли движение",
            "перекрыли улиц",
            "перекрытие дорог",
            "перекрытие трасс",
            "жолды жауып",
            "жолды бөгеп",
            "قطعوا الطريق",
            "قطع الطريق",
            "قطعوا الطرق",
            // going out into the streets, in the other languages
            "took to the streets",
            "вышли на улиц",
            "вышли на площад",
            // ar
            "احتجاج",
            "احتج",
            "تظاهر",
            "مظاهر",
            "متظاهر",
            "محتج",
            "اعتصام",
            "معتصم",
            "تجمع",
            "تجمهر",
            "اضراب",
        ],
    ),
    (
        Category::Riot,
        &[
            "riot",
            "looting",
            "looted",
            "looters",
            "rampag",
            "torched",
            "set fire",
            "stormed",
            "vandal",
            "mob$",
            "беспоряд",
            "погром",
            "мародер",
            "подожг",
            "поджог",
            "штурмова",
            "разгроми",
            "тәртіпсіздік",
            "тонау",
            "тонал",
            "өртеп",
            "өртеді",
            "бүлік",
            "басып кір",
            "басып ал",
            "өрт қой",
            "өрт қою",
            // a mass brawl, stones thrown at the police: mob violence
            // a brawl of groups or a crowd ("екі топ төбелесіп"), not two schoolboys or a bout
            "топ төбелес",
            "жаппай төбелес",
            "төбелес шық",
            "төбелес шығ",
            "тас лақтыр",
            "threw stones",
            "hurled stones",
            "stone-throwing",
            "pelted",
            "забросали",
            "закидали",
            "бросали камни",
            "رشق",
            "brawl",
            "threw stones",
            "stone throw",
            "массовая драка",
            "массовой драк",
            "забросали камнями",
            "رشق بالحجار",
            "رشقوا",
            "شغب",
            "نهب",
            "اضرم",
            "احرق",
            "اقتحم",
            "تخريب",
        ],
    ),
    (
        Category::ArmedClash,
        &[
            "clash",
            "fighting$",
            "fought$",
            "gunfight",
            "firefight",
            "gunbattle",
            "skirmish",
            "exchange of fire",
            "exchanged fire",
            "ambush",
            "засад",
            "كمين",
            "столкновен",
            "перестрелк",
            "бои$",
            "боя$",
            "боях$",
            "боям$",
            "боями$",
            "боев",
            "сражен",
            "қақтығыс",
            "шайқас",
            "ұрыс",
            "атыс$",
            "атысып",
            "атыста",
            "اشتباك",
            "معارك",
            "معركه",
            "قتال",
        ],
    ),
    (
        Category::Explosion,
        &[
            "explosion",
            "exploded",
            "blast",
            "bomb",
            "shelling",
            "shelled",
            "airstrike",
            "air strike",
            "drone strike",
            "drone attack",
            "drones dropped",
            "dropped explosives",
            // ammunition detonating in a fire ("детонации боеприпасов")
            "детонац",
            "detonat",
            // shells that hit, struck, landed ("shells hit a camp")
            "shells hit",
            "shell hit",
            "shells struck",
            "shell struck",
            "shells landed",
            "shells fell",
            "дрон",
            // (مسيرة alone is a march as often as a drone)
            "طائره مسيره",
            "طائرات مسيره",
            "rocket",
            "missile",
            "mortar",
            "grenade",
            "взрыв",
            "обстрел",
            "авиаудар",
            "бомб",
            "ракетн",
            "ракет",
            "снаряд",
            "беспилотник",
            "жарыл",
            "взорв",
            "انفجر",
            "атқылау",
            "атқылады",
            "бомба",
            "зымыран",
            "انفجار",
            "تفجير",
            "فجير",
            "قصف",
            "غاره",
            "غارات",
            "عبوه",
            "قذيف",
            "صاروخ",
            "انتحاري",
        ],
    ),
    (
        Category::ViolenceAgainstCivilians,
        &[
            "massacre",
            "raid on a village",
            "attack on a village",
            "attacked a village",
            "attacked the village",
            "abduct",
            "kidnap",
            "executed",
            "execution",
            "gunmen",
            "lynch",
            "расстрел",
            "похищ",
            "похити",
            "резн",
            "ұрлап",
            "қырғын",
            "مجزره",
            "اختطاف",
            "خطف",
            "اعدام",
            "اغتيال",
            "مسلحون",
            "مسلحين",
        ],
    ),
    (
        Category::Arrests,
        &[
            "arrest",
            "detain",
            "detention",
            "custody",
            "rounded up",
            "задерж",
            "арест",
            "ұстал",
            "ұстады",
            "қамау",
            "тұтқында",
            "қолға түс",
            "اعتقال",
            "اعتقل",
            "معتقل",
            "توقيف",
            "اوقف",
            "موقوف",
            "احتجاز",
            "احتجز",
            "محتجز",
            "قبض",
        ],
    ),
    (
        Category::Deployment,
        &[
            "deploy",
            "troops",
            "peacekeep",
            "patrolled",
            "reinforcement",
            "войск",
            "миротвор",
            "контингент",
            "переброш",
            "әскер енгіз",
            "әскер кіргіз",
            "әскерлер",
            "бітімгер",
            "ұлттық ұлан",
            "әскери техника",
            "حفظ السلام",
            "تعزيزات",
            "نشر قوات",
            "نشر الجيش",
            "انتشار",
            "took up positions",
            "soldiers arrived",
            "troops arrived",
            "taken up positions",
            "взяли под охрану",
            // squads posted and on duty ("дежурят наряды Росгвардии", "усилены наряды")
            "дежурят наряды",
            "выставлены наряды",
            "усилены наряды",
            "күзетке ал",
            "تمركز",
            "تمركزت",
        ],
    ),
    (
        Category::Shortage,
        &[
            "shortage",
            "scarcit",
            "ran out",
            "run out",
            "ran dry",
            "run dry",
            "running dry",
            "queues",
            "rationing",
            "blackout",
            "power cut",
            "power outage",
            "without power",
            "without electricity",
            "without water",
            "without gas",
            "without heating",
            "дефицит",
            "без газа",
            "без света",
            "без электричества",
            "без воды",
            "без питьевой воды",
            "без тепла",
            "без отопления",
            "без электроэнергии",
            "without heat$",
            "газсыз",
            // there is no water, gas, light; water does not flow
            "су жоқ",
            "газ жоқ",
            "жарық жоқ",
            // the light went out ("жарық сөніп", "жарық сөнді")
            "жарық сөніп",
            "жарық сөнді$",
            "жарық сөнген",
            "су ақпа",
            "су берілме",
            "нет воды",
            "нет газа",
            "нет света",
            "no water$",
            "no running water",
            "no drinking water",
            "no power$",
            "no electricity",
            "жарықсыз",
            "сусыз",
            "жылусыз",
            "электрсіз",
            "بدون كهرباء",
            "دون كهرباء",
            "بلا كهرباء",
            "بدون مياه",
            "دون مياه",
            "нехватк",
            "очеред",
            "перебо",
            "тапшы",
            "жетіспеуш",
            "кезек",
            "نقص",
            "شح",
            "طوابير",
            "انقطاع",
            // the verb, with what went out: "انقطع التيار الكهربائي" (not "انقطع الاتصال",
            // contact was lost, nor "انقطعت الطريق", the road was cut)
            "انقطع التيار",
            "انقطع الكهرباء",
            "انقطع المياه",
            "انقطع مياه",
            "انقطع الماء",
            "انقطع الغاز",
            "انقطع الانترنت",
            "نفاد",
            // ran out ("نفد الوقود من معظم محطات أبشي")
            "نفد$",
            "نفدت$",
        ],
    ),
    (
        // Floods, accidental fires and arson by unknown persons, as the coding rules say;
        // the last in `CATEGORY_ORDER`: a mob's arson is a riot.
        Category::Other,
        &[
            "flood",
            "blaze",
            // storms, snow and earthquakes
            // (not "stormed", "storming": a crowd's)
            "storm$",
            "storms$",
            "snowstorm",
            "rainstorm",
            "sandstorm",
            "thunderstorm",
            "blizzard",
            "avalanche",
            "cyclone",
            "typhoon",
            "hurricane",
            "tornado",
            "earthquake",
            "heavy rain",
            "strong wind",
            "high winds",
            "сильный ветер",
            "сильного ветра",
            "қатты жел",
            "жел құлат",
            "шторм",
            "ураган",
            "буран",
            "метел",
            "снегопад",
            "ливн",
            "лавин",
            "смерч",
            "землетрясен",
            "дауыл",
            "боран",
            "нөсер",
            "жер сілкін",
            "منخفض جوي",
            "عاصفه",
            "عواصف",
            "زلزال",
            "اعصار",
            "امطار غزيره",
            // (not a gun's: see NOT_CUES)
            "fire$",
            "fires$",
            "arson",
            "наводнен",
            "паводк",
            "подтоплен",
            "пожар",
            "возгоран",
            "подожг",
            "поджог",
            "тасқын",
            "өрт",
            "landslide",
            "mudslide",
            "mudflow",
            "lightning",
            "оползн",
            "оползен",
            "селев",
            "сель$",
            "селя$",
            "селем$",
            "селей$",
            "молни",
            "көшкін",
            "сел жүр",
            "найзагай",
            "فيضان",
            "سيول",
            "غرق",
            "суға кет",
            "утонул",
            "drowned",
            "انهيار ارضي",
            "انهيارات ارضيه",
            "انزلاق",
            "صاعقه",
            "صواعق",
            "حريق",
            "حرائق",
            // heat, and rock falls in mines
            "heatstroke",
            "heat stroke",
            "heatwave",
            "heat wave",
            "тепловой удар",
            "тепловым удар",
            "аномальн жар",
            "ыстық$ өт",
            "күн$ өт",
            "ضربه شمس",
            "ضربات الشمس",
            "موجه حر",
            "موجه الحر",
            "rockfall",
            "rock fall",
            "обрушени",
            "обвал",
            "опырыл",
            "انهيار منجم",
        ],
    ),
];

/// Words that open an aside after a count ("32 people, including 21 police officers, were
/// hurt"): the count word may follow the aside, and a number right after one is a part of a
/// count already told ("among the injured, six staff"), no count of its own.
pub const ASIDES: &[&str] = &[
    "including",
    "among them",
    "в том числе",
    "среди них",
    "из них",
    "оның ішінде",
    "олардың ішінде",
    "بينهم",
    "منهم",
];

/// Statements that nobody was killed, hurt or detained: a count of zero, which a coder
/// records as 0 where a report that says nothing leaves the count empty. Only statements:
/// "no injuries were reported" says what was not reported, and stays empty.
pub const ZERO_COUNTS: &[(&[CountKind], &[&str])] = &[
    (
        &[CountKind::Fatalities, CountKind::Injured],
        &[
            "пострадавших нет",
            "пострадавших не было",
            "никто не пострадал",
            "обошлось без пострадавших",
            "обошлось без жертв",
            "зардап шеккендер жоқ",
            "зардап шеккен жоқ",
            "ешкім зардап шекпеді",
            "ешкім зардап шеккен жоқ",
            "nobody was hurt",
            "no one was hurt",
            "nobody was injured",
            "no one was injured",
            "there were no casualties",
            "لم يصب احد",
            "لم يسفر عن اصابات",
            "لم يسفر عن وقوع اصابات",
        ],
    ),
    (
        &[CountKind::Fatalities],
        &[
            "погибших нет",
            "жертв нет",
            "никто не погиб",
            "қаза тапқандар жоқ",
            "қаза тапқан жоқ",
            "ешкім қаза тапқан жоқ",
            "nobody was killed",
            "no one was killed",
            "no one died",
            "لم يقتل احد",
            "لم تسجل اي وفيات",
            "لم تسجل وفيات",
            "لم يسجل اي وفيات",
            "دون وقوع وفيات",
            "no deaths were reported",
            "there were no deaths",
            "жертв не было",
            "погибших не было",
        ],
    ),
    (
        &[CountKind::Arrested],
        &[
            "никто не был задержан",
            "никто не задержан",
            "задержанных нет",
            "ешкім ұсталмаған",
            "ешкім ұсталмады",
            "ешкім ұсталған жоқ",
            "no one was arrested",
            "nobody was arrested",
            "no one was detained",
            "nobody was detained",
            "no arrests were made",
            "there were no arrests",
            "задержаний не было",
            "задержаний нет",
            "обошлось без задержаний",
            "ұсталғандар жоқ",
            "لم يعتقل احد",
            "لم يتم اعتقال احد",
            "لم يتم توقيف احد",
        ],
    ),
];

/// People named one at a time, in the singular: with a count word and no number, each is
/// one ("a policeman was hurt", "задержан начальник участка", "ауыл тұрғыны көз жұмды",
/// "قتلت امرأة"), as the coding rules count "a child was killed" (tests/data/reports).
/// Exact forms: the plural shares the stem in every language ("officers", "сотрудники",
/// "тұрғындары", "متظاهرون"). Kazakh takes the possessive (-ы/-і/-сы/-сі) as in "кеніштің бас
/// инженері", "аудан тұрғыны"; Arabic the proclitics, which are taken off before comparing.
pub const PERSONS: &[&str] = &[
    // en
    "man$",
    "woman$",
    "child$",
    "boy$",
    "girl$",
    "baby$",
    "teenager$",
    "policeman$",
    "policewoman$",
    "officer$",
    "soldier$",
    "serviceman$",
    "protester$",
    "protestor$",
    "demonstrator$",
    "resident$",
    "villager$",
    "driver$",
    "worker$",
    "miner$",
    "engineer$",
    "manager$",
    "official$",
    "chief$",
    "director$",
    "student$",
    "journalist$",
    "reporter$",
    "photographer$",
    "civilian$",
    "farmer$",
    "trader$",
    "shopkeeper$",
    "passenger$",
    "suspect$",
    "activist$",
    "teacher$",
    "doctor$",
    "nurse$",
    "inmate$",
    "prisoner$",
    "promoter$",
    "organiser$",
    "organizer$",
    "owner$",
    "pensioner$",
    "herder$",
    "fisherman$",
    "firefighter$",
    "rescuer$",
    "pedestrian$",
    "bystander$",
    "employee$",
    // ru
    "мужчина$",
    "женщина$",
    "ребенок$",
    "подросток$",
    "мальчик$",
    "девочка$",
    "девушка$",
    "юноша$",
    "школьник$",
    "школьница$",
    "полицейский$",
    "сотрудник$",
    "военнослужащий$",
    "военный$",
    "охранник$",
    "протестующий$",
    "демонстрант$",
    "житель$",
    "жительница$",
    "водитель$",
    "рабочий$",
    "шахтер$",
    "горняк$",
    "инженер$",
    "начальник$",
    "директор$",
    "руководитель$",
    "чиновник$",
    "студент$",
    "студентка$",
    "журналист$",
    "журналистка$",
    "активист$",
    "активистка$",
    "пассажир$",
    "подозреваемый$",
    "организатор$",
    "владелец$",
    "пенсионер$",
    "пенсионерка$",
    "фермер$",
    "пешеход$",
    "спасатель$",
    "пожарный$",
    "заключенный$",
    "повар$",
    "продавец$",
    "врач$",
    "медсестра$",
    "учитель$",
    "учительница$",
    // kk
    "ер адам$",
    "әйел$",
    "жасөспірім$",
    "бала$",
    "баласы$",
    "полицей$",
    "қызметкер$",
    "қызметкері$",
    "сарбаз$",
    "тұрғыны$",
    "жүргізуші$",
    "жүргізушісі$",
    "жұмысшы$",
    "жұмысшысы$",
    "кенші$",
    "кеншісі$",
    "инженері$",
    "бастық$",
    "бастығы$",
    "басшы$",
    "басшысы$",
    "директоры$",
    "орынбасары$",
    "күзетші$",
    "күзетшісі$",
    "күдікті$",
    "зейнеткер$",
    "жолаушы$",
    // ar
    "رجل$",
    "امراه$",
    "طفل$",
    "طفله$",
    "فتي$",
    "فتاه$",
    "شاب$",
    "شابه$",
    "شرطي$",
    "جندي$",
    "ضابط$",
    "عنصر$",
    "حارس$",
    "متظاهر$",
    "محتج$",
    "مواطن$",
    "مواطنه$",
    "سائق$",
    "مهندس$",
    "مدير$",
    "ناشط$",
    "ناشطه$",
    "مشتبه$",
    "مزارع$",
];

/// The relatives of the dead or the detained, who are not counted with them ("relatives of
/// those killed", "родственники погибших", "қаза тапқандардың туыстары", "ذوي الضحايا").
pub const RELATIVES: &[&str] = &[
    "relatives",
    "families",
    "family of",
    "родственник",
    "родных",
    "родные",
    "семьи",
    "семей",
    "туыс",
    "отбасы",
    "ذوي",
    "اهالي",
    "عائلات",
    "اسر$",
];

/// Words that make the place after them a point of reference for the place before ("in the
/// town of Thumrait north of Salalah", "بلدة ثمريت شمال صلالة", "в селе Суво к северу от
/// Улан-Удэ"): the event is at the first.
pub const REFERENCE_POINTS: &[&str] = &[
    "north of",
    "south of",
    "east of",
    "west of",
    "northeast of",
    "northwest of",
    "southeast of",
    "southwest of",
    "near$",
    "outside$",
    "к северу от",
    "к югу от",
    "к востоку от",
    "к западу от",
    "севернее",
    "южнее",
    "восточнее",
    "западнее",
    "недалеко от",
    "вблизи",
    "близ$",
    "شمال$",
    "جنوب$",
    "شرق$",
    "غرب$",
    "شمالي$",
    "جنوبي$",
    "شرقي$",
    "غربي$",
    "قرب$",
    "بالقرب من",
    // on the border with ("в поселке Забайкальск на границе с Китаем")
    "on the border with",
    "near the border with",
    "на границе с",
    "у границы с",
    "على الحدود مع",
];

/// Verbs of flight: the places right after them are where people fled from or to.
pub const FLIGHT: &[&str] = &[
    "fled$",
    "fleeing",
    "flee$",
    "فروا",
    "فر$",
    "نزحوا",
    "نزح$",
    "هربوا",
    "бежал",
    "сбежал",
    "қашып",
    "қашқан",
];

/// Words right before a place that make it an organisation's seat ("a rights group based in
/// London", "منظمة حقوقية مقرها لندن", "организация, базирующаяся в Лондоне"): where the
/// group sits, not where anything happened. English also writes it after: "London-based".
pub const SEAT: &[&str] = &[
    "based in",
    "headquartered in",
    "مقره في",
    "مقره",
    "базирующ в",
    "штаб квартирой в",
];

/// Words before a place that make it where someone came from or went ("from Chisinau", "из
/// Кишинева", "fled towards Saint-Marc", "النزوح نحو ولاية النيل الأبيض"). Not Arabic's من: it
/// is as often "of" ("مناطق واسعة من محافظة البصرة").
pub const ORIGIN: &[&str] = &["from", "из", "towards", "toward", "نحو", "сторону"];

/// Kazakh's ablative endings ("from"), after either vowel and either kind of consonant.
pub const KAZAKH_ABLATIVE: &[&str] = &["нан", "нен", "дан", "ден", "тан", "тен"];

/// Verbs of launching and firing, after which Arabic's من is "from" (see [`ORIGIN`]).
pub const LAUNCHED: &[&str] = &["اطلق", "اطلاق", "انطلق"];

/// Person nouns that are adjectives too ("полицейский автобус", "военный госпиталь",
/// "рабочий день", "пожарный расчет"): a person only right beside the count word.
pub const ADJECTIVE_PERSONS: &[&str] = &[
    "полицейский$",
    "военнослужащий$",
    "военный$",
    "рабочий$",
    "пожарный$",
    "протестующий$",
    "подозреваемый$",
    "заключенный$",
];

/// Words after an English person noun that leave it a person, not a noun's qualifier
/// ("student leaders", "an official death toll"): a verb, "and", a preposition.
pub const ENGLISH_AFTER_PERSON: &[&str] = &[
    "was", "were", "is", "are", "has", "had", "have", "and", "or", "who", "died", "in", "on", "at",
    "near", "during", "when", "after", "from", "by", "with", "while", "as",
];

/// Count words whose person is no one counted ("a woman who lives nearby", "a protester held
/// a placard", "the killing of a journalist", "civilian deaths", "remains in custody").
pub const NOT_PEOPLE_COUNTED: &[&str] = &[
    "lives",
    "held$",
    "custody",
    "killing",
    "death$",
    "deaths",
    "death toll",
    "injuries",
    "injury",
    "casualt",
    "bodies",
    "fatalit",
    "жертв",
    "смерт",
    "ضحايا",
    "جثه",
    "جثث",
];

/// Words that say a town, village or district is named ("Қаскелең қаласы", "в селе Чоркух",
/// "a village in Cabo Delgado"): with no place of the gazetteer on them, a locality it
/// lacks.
pub const LOCALITY_WORDS: &[&str] = &[
    "village",
    "town$",
    "district",
    "село$",
    "селе$",
    "села$",
    "поселк",
    "поселок",
    "деревн",
    "район$",
    "района$",
    "районе$",
    "қаласы",
    "қаласын",
    // (not ауылдық 'rural', ауыл шаруашылығы 'farming', аудандық 'district-level')
    "ауыл$",
    "ауылы",
    "ауылда",
    "аудан$",
    "ауданы",
    "قريه",
    "قري$",
    "بلده",
    "بلدات",
    "معتمديات",
    "villages",
    "towns$",
    "сел$",
    "поселков",
    "ауылдары",
    "قضاء",
    "مديريه",
];

/// Words that join two people named one by one ("the promoter and two officials", "инженері
/// мен ауысым бастығы"): they add up.
pub const AND: &[&str] = &["and", "и", "мен", "бен", "пен", "және"];

/// Words that join two clauses: a count word before one belongs to the clause before.
pub const CONJUNCTIONS: &[&str] = &["and", "и", "а", "және", "ал", "while"];

/// Words that make a count word a toll whose number may come far after it ("the death toll
/// … rose to 24", "число погибших … возросло до 24", "حصيلة القتلى … إلى 24", "қаза
/// тапқандар саны … 24").
pub const TOLL_WORDS: &[&str] = &[
    "toll$",
    "number of",
    "число",
    "количество",
    "саны$",
    "حصيله",
    "عدد",
];

/// Verbs and phrases of telling: a day named right beside one is when something was said
/// ("сообщило в понедельник МВД", "the ministry said on Tuesday"), not when it happened.
pub const REPORTING: &[&str] = &[
    // en
    "said$",
    "says$",
    "told$",
    "announced$",
    "reported$",
    "confirmed$",
    "stated$",
    "added$",
    "estimated$",
    // ru
    "сообщил",
    "сообщал",
    "заявил",
    "заявлял",
    "рассказал",
    "сказал",
    "подтвердил",
    "объявил",
    "уточнил",
    "называл",
    "по данным",
    // kk
    "хабарла",
    "мәлімде",
    "мәліметінше",
    "мәлімет",
    "айтты",
    "деді$",
    // ar
    "قال",
    "قالت",
    "اعلن",
    "افاد",
    "افادت",
    "ذكر",
    "ذكرت",
    "اكد",
    "اكدت",
    "صرح",
    "اوضح",
    // (exact: بالاضافة 'in addition', اشارة 'a sign')
    "اضاف$",
    "اضافت$",
    "اشار$",
    "اشارت$",
];

/// Phrases that make the name after them a source ("according to Bishkek", "по данным
/// Бишкека", "بحسب طرابلس"): a government named by its capital, not where something happened.
pub const SOURCE_BEFORE: &[&str] = &[
    "according to",
    "по данным",
    "по словам",
    "по сведениям",
    "по информации",
    "по версии",
    "بحسب",
    "حسب",
    "وفق",
    "نقلا عن",
];

/// Hospitals: the hurt are taken there, and a place named with one ("taken to hospitals in
/// Tripoli", "доставлены в больницу в Беслане", "Ақтөбе ауруханасына") is where they are
/// treated, not where it happened.
pub const HOSPITAL: &[&str] = &["hospital", "больниц", "аурухана", "مستشفي"];

/// Dying of one's wounds: a toll's update, not an event of the day it is told.
pub const SUCCUMBED: &[&str] = &[
    "succumbed",
    "of his wounds",
    "of her wounds",
    "of their wounds",
    "of his injuries",
    "of her injuries",
    "of their injuries",
    "от полученных",
    "от ранений",
    "от травм",
    "жарақаттан",
    "متاثرا بجروح",
    "متاثره بجروح",
    "متاثرين بجروح",
];

/// Words after a name that make it a source (Kazakh: "Бішкектің мәліметінше", "according to
/// Bishkek").
pub const SOURCE_AFTER: &[&str] = &[
    "мәліметінше",
    "хабарлауынша",
    "айтуынша",
    "сөзінше",
    "дерегінше",
];

/// Tyres: burning them is how protesters block a road, not a riot ("protesters burned tyres",
/// "أحرق متظاهرون الإطارات", "жгли покрышки"), as incident coders count it.
pub const TYRES: &[&str] = &[
    "tyre",
    "tire$",
    "tires$",
    "шин$",
    "шины$",
    "покрышк",
    "дөңгелек",
    "اطارات",
];

/// Phrases in which an event word names who acts, not what happened ("riot police fired tear
/// gas" is no riot): their words are no cue.
pub const NOT_CUES: &[&str] = &[
    // a water, heating or sewage main that burst in the frost is no explosion ("су құбыры
    // жарылған"); a gas pipe that blew up is one ("газ құбыры жарылып")
    "су құбыры жарыл",
    "су құбыр жарыл",
    "жылу құбыры жарыл",
    "кәріз құбыры жарыл",
    // a rocket launched into space is no rocket attack
    "rocket launch",
    "space launch",
    "запуск ракет",
    "ракета-носител",
    "ракеты-носител",
    "зымыран ұшыр",
    "اطلاق صاروخ فضائي",
    // the police's stun and smoke grenades are no explosion ("fired rubber bullets and stun
    // grenades to break up a picket")
    "stun grenade",
    "flash bang",
    "flashbang",
    "sound bomb",
    "smoke grenade",
    "gas grenade",
    "tear gas grenade",
    // en
    "riot police",
    "riot polic",
    "riot gear",
    "riot control",
    "riot squad",
    "riot shield",
    "anti riot",
    // a gun's fire, and those who fight fires
    "opened fire",
    "open fire",
    "opening fire",
    "under fire",
    "fire at police",
    "fire at protesters",
    "fire at the crowd",
    "fire on police",
    "fire on protesters",
    "fire on the crowd",
    // chants drowned out a speech; a storm of criticism; Operation Decisive Storm
    "drowned out",
    "storm of",
    "عاصفه الحزم",
    "عاصفه من",
    "fire brigade",
    "fire service",
    "fire station",
    "fire department",
    "fire crews",
    "fire safety",
    "fire exit",
    // kept in custody by a court: no arrest that day
    "remanded",
    "in$ custody",
    // more of a gun's fire
    "returned fire",
    "return fire",
    "heavy fire",
    "cross fire",
    "line of fire",
    "cease fire",
    "remain in custody",
    "remained in custody",
    "remains in custody",
    "под арестом",
    "под стражей",
    "қамауда қал",
    "قيد الاحتجاز",
    // ru
    "по борьбе с массовыми беспоряд",
    "борьбе с беспоряд",
    "противодействию беспоряд",
    // kk
    "тәртіпсіздікке қарсы",
    // ar
    "مكافحه الشغب",
    "قوات مكافحه الشغب",
    "مكافحه شغب",
];

/// Words that deny the event word after them, one or two words on ("no clashes", "without
/// violence", "без столкновений", "не было столкновений", "دون وقوع اشتباكات").
/// (Not a bare "не" or "لا": "не только митинги", "لا تزال الاشتباكات" go on.)
pub const NEGATIONS: &[&str] = &[
    "no$",
    "without$",
    "без$",
    "не было",
    "не произошло",
    "دون$",
    "بدون$",
    "عدم$",
    "لم تقع",
    "لم يسجل",
    "لم تسجل",
    // a denial ("the army denied its troops were involved")
    "denied$",
    "denies$",
    "отрицает",
    "отрицают",
    "опроверг",
    "نفي$",
    "نفت$",
];

/// Words that deny an event told before them, in the same sentence: Kazakh puts the verb last
/// ("Қазалыда да жарық сөнді деген хабарды жоққа шығарды", denied the report that the light
/// went out in Kazaly too).
pub const DENIALS_AFTER: &[&str] = &[
    "жоққа шығарды",
    "жоққа шығарып",
    "жоққа шығарған",
    "теріске шығарды",
    "теріске шығарған",
];

/// A denial of reports, right before the event word it names ("опровергли сообщения о
/// беспорядках", "denied reports of looting", "نفت أنباء عن اشتباكات"): no event.
pub const DENIAL_FRAMES: &[&str] = &[
    "опроверг сообщения о",
    "опровергли сообщения о",
    "опровергла сообщения о",
    "опроверг информацию о",
    "опровергли информацию о",
    "опровергла информацию о",
    "denied reports of",
    "denied reports that",
    "dismissed reports of",
    "نفت انباء عن",
    "نفي انباء عن",
    "نفت انباء",
    "نفي انباء",
];

/// What a protest is against, right before the event word it names ("protesting the
/// shelling", "تنديدا بالقصف", "в знак протеста против обстрелов"): the topic, no event.
/// Only two words on: "protesters condemning the arrests set fire to a police station" is a
/// riot.
pub const TOPIC_FRAMES: &[&str] = &[
    "in protest",
    "protesting",
    "condemning",
    "denouncing",
    "в знак протеста",
    "протестуя",
    "осуждая",
    "تنديدا",
    "احتجاجا علي",
];

/// "Clashes" in every language: a fight of crowds or with the police, which a protest at the
/// same place and day turned into; not "fighting" or "battles" between armed forces.
pub const CLASH_WORDS: &[&str] = &["clash", "столкнов", "стычк", "қақтығыс", "اشتباك", "مواجه"];

/// Crowd control: where a report tells of tear gas, batons or water cannon, its "clashes" are a
/// crowd against the police — a riot, as ACLED codes violent demonstrations — not a battle of
/// armed groups.
pub const CROWD_CONTROL: &[&str] = &[
    "tear gas",
    "teargas",
    "rubber bullets",
    "water cannon",
    "batons",
    "слезоточив",
    "дубинк",
    "водомет",
    "резиновыми пулями",
    "светошумов",
    "жас агызатын",
    "резенке ок",
    "المسيل للدموع",
    "الغاز المسيل",
    "الرصاص المطاطي",
    "خراطيم المياه",
    "الهراوات",
];

/// Things a day may qualify that are no incident ("Sunday's election"), after a possessive.
pub const NOT_EVENT_NOUNS: &[&str] = &[
    "election",
    "vote",
    "poll",
    "referendum",
    "meeting",
    "talks",
    "summit",
    "match",
    "game",
    "speech",
    "decision",
    "announcement",
    "deadline",
    "session",
    "debate",
];

/// Arson words: burning tyres is a protest's road block, not a riot (see [`TYRES`]).
pub const ARSON: &[&str] = &[
    "set fire",
    "torched",
    "burned",
    "burnt",
    "подожг",
    "поджог",
    "жгли",
    "сожгли",
    "өртеп",
    "өртеді",
    "өрт қой",
    "اضرم",
    "احرق",
    "حرق",
];

/// Words after which an event word names what people are accused of, not a new event
/// ("detained on suspicion of taking part in the riots", "за участие в беспорядках", "calls
/// for mass riots", "بتهمة المشاركة في أعمال الشغب"). Plain taking part ("thousands took part in
/// the rally") is no such frame.
pub const PARTICIPATION: &[&str] = &[
    "suspicion of",
    "suspected of",
    "accused of",
    "charged with",
    "calls for",
    "incitement",
    "inciting",
    "charges of",
    // a criminal case opened "on mass riots" is a legal step about an event told already
    "дело о",
    "дело по статье",
    "дела о",
    "обвинение в",
    "обвинения в",
    "статье о",
    "за участие",
    "по подозрению",
    "подозрева",
    "подозрени",
    "обвиня",
    "вменя",
    "призыв",
    "подстрекат",
    "بتهمه",
    "بتهم",
    "للاشتباه",
];

/// Kazakh puts the accusation after the event word ("тәртіпсіздікке белсене қатысты деген
/// күдікпен", on suspicion of taking part in the disorder).
pub const PARTICIPATION_AFTER: &[&str] = &[
    "күдікпен",
    "айыппен",
    "айыпталып",
    "бабы бойынша",
    "бабымен",
    // who called for a rally ("митингке шақырған екі белсенді"): the call, no rally
    "шақырған",
];

/// Kazakh's privative suffix: "қақтығыссыз" is "without clashes".
pub const PRIVATIVE_ENDINGS: &[&str] = &["сыз", "сіз"];

/// Which event a sentence reports when it has cues of several kinds: the most violent first;
/// arrests only when nothing else happened (arrests at a protest are the protest's count, as
/// incident coders count them).
pub const CATEGORY_ORDER: &[Category] = &[
    Category::ArmedClash,
    Category::Explosion,
    Category::ViolenceAgainstCivilians,
    Category::Riot,
    Category::Protest,
    Category::Shortage,
    Category::Deployment,
    Category::Arrests,
    Category::Other,
];

/// Nouns and verbs that say what a number counts.
pub const COUNT_CUES: &[(CountKind, &[&str])] = &[
    (
        CountKind::Fatalities,
        &[
            // killed, killing ("fighting flared, killing at least 12")
            "kill",
            "dead$",
            "died",
            "deaths",
            "death toll",
            "lives",
            "bodies",
            "fatalit",
            "perished",
            // took the lives of ("унесли жизни не менее семи человек")
            "унес жизн",
            "унесли жизн",
            "унесла жизн",
            "drowned$",
            "утонул",
            "суға кет",
            "غرقا$",
            "غرقي$",
            "погиб",
            "убит",
            "убил",
            "жертв",
            "смерт",
            "скончал",
            // (not "қаза" alone: қазандық 'boiler', Қазақстан, қазан 'October')
            "қаза$",
            "қаза тап",
            "қаза бол",
            "қазасы",
            "өлді",
            "өліп",
            "мерт",
            "көз жұм",
            "құрбан",
            "قتيل",
            "قتلي",
            "قتل",
            "مقتل",
            "وفاه",
            "توفي",
            "حتف",
            "قضوا",
            "قضي$",
            "مصرع",
            "ضحايا",
            "شهيد",
            "شهداء",
            "جثه",
            "جثث",
        ],
    ),
    (
        CountKind::Injured,
        &[
            "injur",
            "wound",
            "hurt$",
            "hospitali",
            "ожог",
            "күйік",
            "burns$",
            "ранен",
            "ранил",
            "пострадав",
            "пострадал",
            "травм",
            "госпитализ",
            "жарақат",
            "жаралан",
            // poisoned by smoke or gas: hurt
            "улан",
            "отравл",
            "poisoned",
            "اختناق",
            "تسمم",
            "зардап",
            "جريح",
            "جرحي",
            "اصاب",
            "اصيب",
            "مصاب",
        ],
    ),
    // taken to, treated in hospital: hurt (the nearest count word wins, so "died in hospital"
    // stays a death)
    (CountKind::Injured, HOSPITAL),
    (
        CountKind::Arrested,
        &[
            "arrest",
            "detain",
            "held$",
            "custody",
            "задержа",
            "задерж",
            "арестова",
            "ұстал",
            "ұстады",
            "қамау",
            "тұтқында",
            "اعتقال",
            "اعتقل",
            "معتقل",
            "موقوف",
            "توقيف",
            "اوقف",
            "احتجاز",
            "محتجز",
            "قبض",
        ],
    ),
];

/// Qualifiers written before the number.
pub const QUALIFIERS_BEFORE: &[(Qualifier, &[&str])] = &[
    (
        Qualifier::AtLeast,
        &[
            "at least",
            "no fewer than",
            "не менее",
            "по меньшей мере",
            "как минимум",
            "минимум$",
            "кемінде",
            "кем дегенде",
            "ең кемі",
            "ما لا يقل عن",
            "لا يقل عن",
        ],
    ),
    (
        Qualifier::MoreThan,
        &[
            "more than",
            "over$",
            "upwards of",
            "in excess of",
            "более$",
            "больше$",
            "свыше$",
            "اكثر من",
            "ما يزيد عن",
            "ما يزيد علي",
            "يزيد عن",
            "يزيد علي",
        ],
    ),
    (
        Qualifier::About,
        &[
            "about$",
            "around$",
            "some$",
            "nearly$",
            "almost$",
            "approximately$",
            "roughly$",
            "около$",
            "порядка$",
            "почти$",
            "примерно$",
            "приблизительно$",
            "шамамен$",
            "نحو$",
            "حوالي$",
            "قرابه$",
            "زهاء$",
            "ما يقارب",
            "يقارب$",
        ],
    ),
];

/// Qualifiers written after the number (Kazakh postpositions; Arabic على الأقل).
pub const QUALIFIERS_AFTER: &[(Qualifier, &[&str])] = &[
    (Qualifier::AtLeast, &["علي الاقل", "or more"]),
    (
        Qualifier::MoreThan,
        &["астам", "артық", "аса$", "асад", "асты"],
    ),
    (Qualifier::About, &["жуық", "шақты", "шамасында"]),
];

/// How a number word counts: a value added, or a multiplier (`hundred`, `тысяч`). A
/// multiplier that does not say "one" when alone (`тысячи`, `آلاف`: "thousands") is vague
/// unless a number comes before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumberWord {
    Value(u64),
    Times { by: u64, alone: bool },
}

use NumberWord::{Times, Value};

pub const NUMBER_WORDS: &[(&str, NumberWord)] = &[
    // en
    ("one", Value(1)),
    ("two", Value(2)),
    ("three", Value(3)),
    ("four", Value(4)),
    ("five", Value(5)),
    ("six", Value(6)),
    ("seven", Value(7)),
    ("eight", Value(8)),
    ("nine", Value(9)),
    ("ten", Value(10)),
    ("eleven", Value(11)),
    ("twelve", Value(12)),
    ("dozen", Value(12)),
    ("thirteen", Value(13)),
    ("fourteen", Value(14)),
    ("fifteen", Value(15)),
    ("sixteen", Value(16)),
    ("seventeen", Value(17)),
    ("eighteen", Value(18)),
    ("nineteen", Value(19)),
    ("twenty", Value(20)),
    ("thirty", Value(30)),
    ("forty", Value(40)),
    ("fifty", Value(50)),
    ("sixty", Value(60)),
    ("seventy", Value(70)),
    ("eighty", Value(80)),
    ("ninety", Value(90)),
    (
        "hundred",
        Times {
            by: 100,
            alone: true,
        },
    ),
    (
        "thousand",
        Times {
            by: 1000,
            alone: true,
        },
    ),
    (
        "million",
        Times {
            by: 1_000_000,
            alone: true,
        },
    ),
    // ru
    ("один", Value(1)),
    ("одна", Value(1)),
    ("одного", Value(1)),
    ("одной", Value(1)),
    ("два", Value(2)),
    ("две", Value(2)),
    ("двух", Value(2)),
    ("двое", Value(2)),
    // the collective numerals in the accusative of people ("задержали еще четверых")
    ("двоих", Value(2)),
    ("три", Value(3)),
    ("трех", Value(3)),
    ("трое", Value(3)),
    ("троих", Value(3)),
    ("четыре", Value(4)),
    ("четырех", Value(4)),
    ("четверо", Value(4)),
    ("четверых", Value(4)),
    ("пять", Value(5)),
    ("пяти", Value(5)),
    ("пятеро", Value(5)),
    ("пятерых", Value(5)),
    ("шесть", Value(6)),
    ("шести", Value(6)),
    ("шестеро", Value(6)),
    ("шестерых", Value(6)),
    ("семь", Value(7)),
    ("семи", Value(7)),
    ("семеро", Value(7)),
    ("семерых", Value(7)),
    ("восемь", Value(8)),
    ("восьми", Value(8)),
    ("девять", Value(9)),
    ("девяти", Value(9)),
    ("десять", Value(10)),
    ("десяти", Value(10)),
    ("одиннадцать", Value(11)),
    ("одиннадцати", Value(11)),
    ("двенадцать", Value(12)),
    ("двенадцати", Value(12)),
    ("тринадцать", Value(13)),
    ("тринадцати", Value(13)),
    ("четырнадцать", Value(14)),
    ("четырнадцати", Value(14)),
    ("пятнадцать", Value(15)),
    ("пятнадцати", Value(15)),
    ("шестнадцать", Value(16)),
    ("шестнадцати", Value(16)),
    ("семнадцать", Value(17)),
    ("семнадцати", Value(17)),
    ("восемнадцать", Value(18)),
    ("восемнадцати", Value(18)),
    ("девятнадцать", Value(19)),
    ("девятнадцати", Value(19)),
    ("двадцать", Value(20)),
    ("двадцати", Value(20)),
    ("тридцать", Value(30)),
    ("тридцати", Value(30)),
    ("сорок", Value(40)),
    ("сорока", Value(40)),
    ("пятьдесят", Value(50)),
    ("пятидесяти", Value(50)),
    ("шестьдесят", Value(60)),
    ("шестидесяти", Value(60)),
    ("семьдесят", Value(70)),
    ("семидесяти", Value(70)),
    ("восемьдесят", Value(80)),
    ("восьмидесяти", Value(80)),
    ("девяносто", Value(90)),
    ("девяноста", Value(90)),
    ("сто", Value(100)),
    ("ста", Value(100)),
    ("двести", Value(200)),
    ("двухсот", Value(200)),
    ("триста", Value(300)),
    ("трехсот", Value(300)),
    ("четыреста", Value(400)),
    ("четырехсот", Value(400)),
    ("пятьсот", Value(500)),
    ("пятисот", Value(500)),
    ("шестьсот", Value(600)),
    ("семьсот", Value(700)),
    ("восемьсот", Value(800)),
    ("девятьсот", Value(900)),
    (
        "тысяча",
        Times {
            by: 1000,
            alone: true,
        },
    ),
    (
        "тысячу",
        Times {
            by: 1000,
            alone: true,
        },
    ),
    (
        "тысячи",
        Times {
            by: 1000,
            alone: false,
        },
    ),
    (
        "тысяч",
        Times {
            by: 1000,
            alone: false,
        },
    ),
    (
        "миллион",
        Times {
            by: 1_000_000,
            alone: true,
        },
    ),
    // kk (case endings are taken off first: онға, мыңнан)
    ("бір", Value(1)),
    ("екі", Value(2)),
    ("екеуі", Value(2)),
    ("үш", Value(3)),
    ("үшеуі", Value(3)),
    ("төрт", Value(4)),
    ("бес", Value(5)),
    ("алты", Value(6)),
    ("жеті", Value(7)),
    ("сегіз", Value(8)),
    ("тоғыз", Value(9)),
    ("он", Value(10)),
    ("жиырма", Value(20)),
    ("отыз", Value(30)),
    ("қырық", Value(40)),
    ("елу", Value(50)),
    ("алпыс", Value(60)),
    ("жетпіс", Value(70)),
    ("сексен", Value(80)),
    ("тоқсан", Value(90)),
    (
        "жүз",
        Times {
            by: 100,
            alone: true,
        },
    ),
    (
        "мың",
        Times {
            by: 1000,
            alone: true,
        },
    ),
    // ar
    ("واحد", Value(1)),
    ("اثنان", Value(2)),
    // duals of people: "أُصيب شرطيان" is two police officers hurt
    ("شخصان", Value(2)),
    ("شخصين", Value(2)),
    ("طفلان", Value(2)),
    ("طفلين", Value(2)),
    ("جنديان", Value(2)),
    ("جنديين", Value(2)),
    ("شرطيان", Value(2)),
    ("شرطيين", Value(2)),
    ("رجلان", Value(2)),
    ("رجلين", Value(2)),
    ("شابان", Value(2)),
    ("شابين", Value(2)),
    ("امراتان", Value(2)),
    ("امراتين", Value(2)),
    ("عنصران", Value(2)),
    ("عنصرين", Value(2)),
    ("اثنين", Value(2)),
    ("اثنتين", Value(2)),
    ("اثنتان", Value(2)),
    // the 2 of 12 (اثنا عشر, اثني عشر; اثنتا عشرة): the words add up
    ("اثنا", Value(2)),
    ("اثني", Value(2)),
    ("اثنتا", Value(2)),
    ("اثنتي", Value(2)),
    ("ثلاث", Value(3)),
    ("ثلاثه", Value(3)),
    ("اربع", Value(4)),
    ("اربعه", Value(4)),
    ("خمس", Value(5)),
    ("خمسه", Value(5)),
    ("ست", Value(6)),
    ("سته", Value(6)),
    ("سبع", Value(7)),
    ("سبعه", Value(7)),
    ("ثماني", Value(8)),
    ("ثمانيه", Value(8)),
    ("ثمان", Value(8)),
    ("تسع", Value(9)),
    ("تسعه", Value(9)),
    ("عشر", Value(10)),
    ("عشره", Value(10)),
    ("عشرون", Value(20)),
    ("عشرين", Value(20)),
    ("ثلاثون", Value(30)),
    ("ثلاثين", Value(30)),
    ("اربعون", Value(40)),
    ("اربعين", Value(40)),
    ("خمسون", Value(50)),
    ("خمسين", Value(50)),
    ("ستون", Value(60)),
    ("ستين", Value(60)),
    ("سبعون", Value(70)),
    ("سبعين", Value(70)),
    ("ثمانون", Value(80)),
    ("ثمانين", Value(80)),
    ("تسعون", Value(90)),
    ("تسعين", Value(90)),
    (
        "مئه",
        Times {
            by: 100,
            alone: true,
        },
    ),
    (
        "مائه",
        Times {
            by: 100,
            alone: true,
        },
    ),
    ("مئتين", Value(200)),
    ("مئتان", Value(200)),
    (
        "الف",
        Times {
            by: 1000,
            alone: true,
        },
    ),
    // in the accusative, after numbers from 11 to 99: "18 ألفاً"
    (
        "الفا",
        Times {
            by: 1000,
            alone: true,
        },
    ),
    (
        "الاف",
        Times {
            by: 1000,
            alone: false,
        },
    ),
];

/// Kazakh case and possessive endings a number word may carry (онға, мыңнан, бесеуі).
pub const KAZAKH_NUMBER_ENDINGS: &[&str] = &[
    "ға", "ге", "қа", "ке", "да", "де", "та", "те", "дан", "ден", "тан", "тен", "нан", "нен",
    "ның", "нің", "дың", "дің", "тың", "тің", "ы", "і", "еу", "ау", "еуі", "ауы",
];

/// Months, by their names in each language (a stem, or `$` for the word alone).
pub const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("jan$", 1),
    ("february", 2),
    ("feb$", 2),
    ("march$", 3),
    ("april", 4),
    ("apr$", 4),
    ("may$", 5),
    ("june$", 6),
    ("jun$", 6),
    ("july$", 7),
    ("jul$", 7),
    ("august", 8),
    ("aug$", 8),
    ("september", 9),
    ("sept$", 9),
    ("sep$", 9),
    ("october", 10),
    ("oct$", 10),
    ("november", 11),
    ("nov$", 11),
    ("december", 12),
    ("dec$", 12),
    ("январ", 1),
    ("феврал", 2),
    ("марта$", 3),
    ("март$", 3),
    ("апрел", 4),
    ("мая$", 5),
    ("май$", 5),
    ("июня$", 6),
    ("июнь$", 6),
    ("июля$", 7),
    ("июль$", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
    ("қаңтар", 1),
    ("ақпан", 2),
    ("наурыз", 3),
    ("сәуір", 4),
    ("мамыр", 5),
    ("маусым", 6),
    ("шілде", 7),
    ("тамыз", 8),
    ("қыркүйек", 9),
    ("қазан", 10),
    ("қараша", 11),
    ("желтоқсан", 12),
    ("يناير", 1),
    ("كانون الثاني", 1),
    ("فبراير", 2),
    ("شباط", 2),
    ("مارس", 3),
    ("اذار", 3),
    ("ابريل", 4),
    ("نيسان", 4),
    ("مايو", 5),
    ("ايار", 5),
    ("يونيو", 6),
    ("حزيران", 6),
    ("يوليو", 7),
    ("تموز", 7),
    ("اغسطس", 8),
    ("اب$", 8),
    ("سبتمبر", 9),
    ("ايلول", 9),
    ("اكتوبر", 10),
    ("تشرين الاول", 10),
    ("نوفمبر", 11),
    ("تشرين الثاني", 11),
    ("ديسمبر", 12),
    ("كانون الاول", 12),
    // the Maghreb's names: Algeria and Tunisia (from French), Morocco
    ("جانفي", 1),
    ("فيفري", 2),
    ("افريل", 4),
    ("ماي$", 5),
    ("جوان$", 6),
    ("جويليه", 7),
    ("يوليوز", 7),
    ("اوت$", 8),
    ("غشت$", 8),
    ("شتنبر", 9),
    ("نونبر", 11),
    ("دجنبر", 12),
];

/// Weekdays (0 = Monday).
pub const WEEKDAYS: &[(&str, u8)] = &[
    ("monday", 0),
    ("tuesday", 1),
    ("wednesday", 2),
    ("thursday", 3),
    ("friday", 4),
    ("saturday", 5),
    ("sunday", 6),
    ("понедельник", 0),
    ("вторник", 1),
    ("среда$", 2),
    ("среду$", 2),
    ("четверг", 3),
    ("пятниц", 4),
    ("пятничн", 4),
    ("суббот", 5),
    ("воскресень", 6),
    ("воскресн", 6),
    ("понедельничн", 0),
    ("вторничн", 1),
    ("четвергов", 3),
    ("дүйсенбі", 0),
    ("сейсенбі", 1),
    ("сәрсенбі", 2),
    ("бейсенбі", 3),
    ("жұма$", 4),
    ("жұмада$", 4),
    // since, until Friday; Friday's
    ("жұмадан$", 4),
    ("жұмаға$", 4),
    ("жұмадағы$", 4),
    ("жұма күні", 4),
    ("сенбі", 5),
    ("жексенбі", 6),
    ("الاثنين$", 0),
    ("الثلاثاء$", 1),
    ("الاربعاء$", 2),
    ("الخميس$", 3),
    ("الجمعه$", 4),
    ("السبت$", 5),
    ("الاحد$", 6),
];

/// Days named from the day the text named last ("the same day", "на следующий день"): the
/// number of days after it.
pub const CHAINED_DAYS: &[(&str, i64)] = &[
    ("the same day", 0),
    ("that same day", 0),
    ("later that day", 0),
    ("the same night", 0),
    ("в тот же день", 0),
    ("в этот же день", 0),
    ("тем же вечером", 0),
    ("в тот же вечер", 0),
    ("في اليوم نفسه", 0),
    ("في نفس اليوم", 0),
    ("في ذات اليوم", 0),
    ("اليوم نفسه", 0),
    ("дәл сол күні", 0),
    ("сол күні", 0),
    ("the next day", 1),
    ("the following day", 1),
    ("the next morning", 1),
    ("the following morning", 1),
    ("на следующий день", 1),
    ("на следующее утро", 1),
    ("наутро$", 1),
    ("في اليوم التالي", 1),
    ("اليوم التالي", 1),
    ("صباح اليوم التالي", 1),
    ("келесі күні", 1),
    ("ертеңіне", 1),
];

/// Days before publication named relatively.
pub const RELATIVE_DAYS: &[(&str, i64)] = &[
    ("today$", 0),
    ("tonight$", 0),
    ("yesterday$", -1),
    ("last night", -1),
    ("сегодня$", 0),
    ("вчера$", -1),
    // yesterday's, today's ("в ходе вчерашних беспорядков")
    ("вчерашн", -1),
    ("сегодняшн", 0),
    ("позавчера$", -2),
    ("накануне$", -1),
    ("бүгін", 0),
    ("кеше$", -1),
    ("кешегі", -1),
    ("кеше кешке", -1),
    ("اليوم$", 0),
    ("اول امس", -2),
    ("امس$", -1),
    ("البارحه$", -1),
    // last night
    ("الليله الماضيه", -1),
    ("ليل امس", -1),
    ("прошлой ночью", -1),
    ("минувшей ночью", -1),
    ("өткен түні", -1),
];

/// Words that make a sentence's place mean "the whole country" (nationwide totals).
pub const NATIONWIDE: &[&str] = &[
    "nationwide",
    "across the country",
    "throughout the country",
    "по всей стране",
    "по стране",
    "всего$",
    "в целом",
    "ел бойынша",
    "ел аумағында",
    "республика аумағында",
    "на территории страны",
    "елде$",
    "республика бойынша",
    "انحاء البلاد",
    "انحاء",
    "كافه المناطق",
    // (not "مختلف مناطق العاصمة", across the capital)
    "مختلف مناطق البلاد",
    "مختلف مناطق المملكه",
    // all over the country, the kingdom, the sultanate
    "عموم البلاد",
    "عموم السلطنه",
    "عموم المملكه",
    "جميع انحاء",
    "across the whole country",
    "across the nation",
    "countrywide",
    "бүкіл ел$",
    "бүкіл елде$",
    "бүкіл елімізде",
];

/// How many words a phrase matches at `k` (0: none). Each stem is compared with the word and,
/// for Arabic, its forms without proclitics.
pub fn match_at(words: &[super::text::Word], k: usize, phrase: &str) -> usize {
    // Most phrases are in another language than the word: a look at the first byte of each
    // (its script, in UTF-8) settles those before any form of the word is compared.
    fn script(b: u8) -> u8 {
        match b {
            0..=0x7F => 0,
            0xD0..=0xD4 => 1,
            0xD8..=0xDB => 2,
            _ => 3,
        }
    }
    match (
        phrase.as_bytes().first(),
        words.get(k).and_then(|w| w.folded.as_bytes().first()),
    ) {
        (Some(&p), Some(&w)) if script(p) == script(w) => {}
        _ => return 0,
    }
    let mut n = 0;
    for stem in phrase.split(' ') {
        let Some(w) = words.get(k + n) else { return 0 };
        let (stem, exact) = match stem.strip_suffix('$') {
            Some(s) => (s, true),
            None => (stem, false),
        };
        let ok = w.forms().any(|f| {
            if exact {
                f == stem
            } else {
                f.starts_with(stem)
            }
        });
        if !ok {
            return 0;
        }
        n += 1;
    }
    n
}

/// Which words of `range` stand inside a phrase of [`NOT_CUES`] ("riot police", "returned
/// fire"): no event word and no count word there. Indexed from `range.start`.
pub fn not_cues_in(words: &[super::text::Word], range: std::ops::Range<usize>) -> Vec<bool> {
    let mut blocked = vec![false; range.len()];
    for k in range.clone() {
        for p in NOT_CUES {
            let n = match_at(words, k, p);
            let end = (k - range.start + n).min(blocked.len());
            blocked[k - range.start..end].fill(true);
        }
    }
    blocked
}

/// Whether some phrase of `list` matches at `k`.
pub fn any_at(words: &[super::text::Word], k: usize, list: &[&str]) -> bool {
    list.iter().any(|p| match_at(words, k, p) > 0)
}

/// The first phrase of `list` matching at `k`, with its length in words.
pub fn first_match<T: Copy>(
    words: &[super::text::Word],
    k: usize,
    list: &[(T, &[&str])],
) -> Option<(T, usize)> {
    for (v, phrases) in list {
        for p in *phrases {
            let n = match_at(words, k, p);
            if n > 0 {
                return Some((*v, n));
            }
        }
    }
    None
}

/// Words that put a clause in the story's future ("will hold a rally on Saturday",
/// "в субботу проведут новый митинг", "сенбіде жиын өткізбек", "سينظمون وقفة"): a plan, no
/// event, and its weekday is the coming one, not the last.
pub const FUTURE: &[&str] = &[
    "will hold",
    "will stage",
    "plan$ to hold",
    "plans$ to hold",
    "проведут",
    "проведет$",
    "проведем$",
    "соберутся",
    "выйдут на",
    "планирует провести",
    "намерен провести",
    "намерена провести",
    "собирается провести",
    "жиналатынын",
    "өткізетінін",
    "планируют провести",
    "намерены провести",
    "собираются провести",
    "өткізбек",
    "өткізуді жоспарла",
    "өткізуге ниетті",
    "سينظم",
    "ستنظم",
    "سيقيم",
    "ستقام",
    "يعتزم",
    "تعتزم",
    "من المقرر",
    // forces that will arrive or be sent
    "will arrive",
    "will be deployed",
    "will be sent",
    "прибудут",
    "будут направлены",
    "будут переброшены",
    "ستصل",
    "سيصل",
    "سترسل",
    "سيتم نشر",
];

/// A call to protest, no protest ("دعا ناشطون إلى التظاهر في أصفهان يوم الجمعة المقبل", "the
/// union called for a general strike", "призвали выйти на площадь"): the phrase and the three
/// words after it (what was called for, where) are no event's; the rest of the clause may
/// tell one ("called for a strike after a bomb killed four").
pub const CALLS: &[&str] = &[
    "الي التظاهر",
    "الي الاحتجاج",
    "الي الاعتصام",
    "الي الاضراب",
    "called for a protest",
    "called for protest$",
    "called for protests",
    "called for a rally",
    "called for rallies",
    "called for a march",
    "called for a strike",
    "called for a general strike",
    "призвал$ выйти",
    "призвала$ выйти",
    "призвали$ выйти",
    "призывают$ выйти",
];

/// An event that was going to happen and did not ("пикет өткізбек болған", "had planned to
/// hold a rally", "собирались провести митинг", "كانوا يعتزمون"): no event of its kind.
pub const INTENDED: &[&str] = &[
    "өткізбек бол",
    "өткізбекші бол",
    "had planned to",
    "had intended to",
    "собирались провести",
    "планировали провести",
    "намеревались провести",
    "كانوا يعتزمون",
    "كان يعتزم",
    "كانت تعتزم",
];

/// Words that put a sentence in the past of the story ("last year", "в прошлом году",
/// "былтыр", "العام الماضي"), or out of it ("regularly"): background, not news.
pub const BACKGROUND: &[&str] = &[
    "last year",
    "years ago",
    "a year ago",
    "прошлого года",
    "прошлом году",
    "год назад",
    "лет назад",
    "былтыр",
    "өткен жылы",
    "жыл бұрын",
    "العام الماضي",
    "السنه الماضيه",
    "قبل عام",
    "قبل سنوات",
    // last week, last month: context, not the news of the day ("last week's offensive")
    "last week$",
    "a week ago",
    "last month",
    "на прошлой неделе",
    "неделю назад",
    "в прошлом месяце",
    "месяц назад",
    "өткен аптада",
    "бір апта бұрын",
    "өткен айда",
    "الاسبوع الماضي",
    "قبل اسبوع",
    "الشهر الماضي",
    // a reminder of what was told before ("let us recall that…")
    "еске салайық",
    "еске сала кетейік",
    "напомним",
    "recall that",
    "يذكر ان",
    "تجدر الاشاره",
    // what happens regularly is no event of the story ("disputes regularly turn into clashes")
    "regularly",
    "repeatedly",
    "регулярно",
    "неоднократно",
    "зачастую",
    "үнемі",
    "жиі-жиі",
    "مرارا",
    "باستمرار",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::fold;

    /// Every cue is compared with folded words: one written unfolded (ى for ي, й, ё, a
    /// capital) could never match.
    #[test]
    fn every_phrase_is_written_folded() {
        let mut phrases: Vec<&str> = Vec::new();
        for (_, list) in CATEGORY_CUES {
            phrases.extend(list.iter());
        }
        for (_, list) in COUNT_CUES {
            phrases.extend(list.iter());
        }
        for (_, list) in ZERO_COUNTS {
            phrases.extend(list.iter());
        }
        for list in [
            ASIDES,
            HOSPITAL,
            SUCCUMBED,
            TOLL_WORDS,
            REPORTING,
            NOT_CUES,
            NEGATIONS,
            PARTICIPATION,
            TOPIC_FRAMES,
            ARSON,
            TYRES,
            CLASH_WORDS,
            CROWD_CONTROL,
            NATIONWIDE,
            BACKGROUND,
            CONJUNCTIONS,
            PERSONS,
            FUTURE,
            INTENDED,
            AND,
            ORIGIN,
            RELATIVES,
            LOCALITY_WORDS,
            ADJECTIVE_PERSONS,
            NOT_PEOPLE_COUNTED,
        ] {
            phrases.extend(list.iter());
        }
        let unfolded: Vec<&str> = phrases
            .into_iter()
            .filter(|p| {
                p.split(' ').any(|w| {
                    let w = w.trim_end_matches('$');
                    fold(w) != w
                })
            })
            .collect();
        assert!(unfolded.is_empty(), "written unfolded: {unfolded:?}");
    }
}
