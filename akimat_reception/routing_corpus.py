"""Letters of the kind a city's reception receives, for the demo's history and for training the
department classifier: composed from phrases residents use, in Kazakh (with the Russian words
Kazakh letters often carry), Russian and English.

Each department is named by the code of the demo category whose default it is (`utilities`,
`roads`, `education`, `health`, `ecology`, `social`, `land`). Most letters are filed under the
right category, some under "other", some under a plausible wrong one, as residents file them.
The labelled evaluation set (tests/data/routing_eval.csv) was written separately, letter by
letter, and shares no sentence with these phrases. TOPICS (each department's remit) was added
after a first measurement on that set (78 % first choice right): the evaluation letters were
not changed, but the topics were written knowing which matters they raise."""

import random
from dataclasses import dataclass

DEPARTMENTS = ("utilities", "roads", "education", "health", "ecology", "social", "land")
LANGUAGES = ("kk", "ru", "en")

# Per language and department: subjects, problems (what is wrong), requests (what the resident asks).
PHRASES: dict[str, dict[str, tuple[list[str], list[str], list[str]]]] = {
    "ru": {
        "utilities": (
            [
                "Холодные батареи",
                "Нет горячей воды",
                "Протекает крыша",
                "Не работает лифт",
                "Отключают свет",
                "Засор канализации",
                "Бездействие КСК",
                "Перерасчёт за отопление",
                "Низкое давление воды",
            ],
            [
                "В квартире температура не выше 14 градусов, радиаторы еле тёплые.",
                "Горячей воды нет уже десять дней, из крана идёт ржавая вода.",
                "После каждого дождя с крыши течёт на пятый этаж, потолок в пятнах.",
                "Лифт в нашем подъезде стоит третий месяц, пожилые соседи не выходят из дома.",
                "Электричество отключают почти каждый вечер без предупреждения.",
                "В подвале стоит канализационная вода, запах по всему подъезду.",
                "Председатель КСК не отвечает на звонки, собранные деньги на ремонт не потрачены.",
                "Нам начислили полную плату за тепло, хотя батареи были холодные весь ноябрь.",
                "Напор холодной воды такой слабый, что на верхних этажах вода не доходит.",
                "В подъезде не горят лампочки, трубы отопления в подвале прорвало.",
            ],
            [
                "Прошу обязать обслуживающую организацию устранить неисправность.",
                "Просим восстановить подачу и сделать перерасчёт.",
                "Прошу провести проверку деятельности КСК.",
                "Просим отремонтировать до начала холодов.",
            ],
        ),
        "roads": (
            [
                "Ямы на дороге",
                "Автобус не ходит по расписанию",
                "Нужен светофор",
                "Остановка без навеса",
                "Изменение маршрута",
                "Ремонт дороги",
                "Пешеходный переход",
                "Уборка снега на дороге",
            ],
            [
                "На проезжей части возле рынка огромные ямы, машины повреждают колёса.",
                "Автобус маршрута 12 приходит раз в сорок минут, водители не соблюдают расписание.",
                "На перекрёстке у школы нет светофора, дети перебегают дорогу между машинами.",
                "На остановке нет навеса и скамейки, люди ждут автобус под дождём.",
                "Маршрут 37 убрали из нашего микрорайона, до метро теперь не добраться.",
                "Асфальт на улице разбит, после ремонта сетей дорогу так и не восстановили.",
                "Разметка пешеходного перехода стёрлась, водители не останавливаются.",
                "Дорогу не чистят от снега, автобусы буксуют на подъёме.",
                "Валидатор в автобусе не принимает карту «Онай», кондуктор требует наличные.",
            ],
            [
                "Прошу отремонтировать дорожное покрытие.",
                "Просим вернуть маршрут и увеличить число автобусов.",
                "Прошу установить светофор и знаки.",
                "Просим навести порядок в работе перевозчика.",
            ],
        ),
        "education": (
            [
                "Очередь в детский сад",
                "Переполненный класс",
                "Перевод в другую школу",
                "Питание в школе",
                "Нет учителя",
                "Ремонт школы",
                "Кружки для детей",
                "Подвоз детей в школу",
            ],
            [
                "Сын стоит в очереди в детский сад два года, номер почти не двигается.",
                "В первом классе 42 ученика, дети сидят по трое за партой.",
                "Школа отказывает в переводе ребёнка, хотя мы переехали в этот район.",
                "В школьной столовой дают холодную еду, дети остаются голодными.",
                "С сентября в школе нет учителя математики, уроки просто отменяют.",
                "В спортзале школы течёт крыша, окна в классах не закрываются.",
                "В районе нет бесплатных кружков и секций для школьников.",
                "Детей из посёлка не возят в школу, школьный автобус сломан.",
            ],
            [
                "Прошу предоставить место в детском саду.",
                "Просим открыть дополнительный класс.",
                "Прошу разобраться с администрацией школы.",
                "Просим решить вопрос до начала учебного года.",
            ],
        ),
        "health": (
            [
                "Запись к врачу",
                "Долго едет скорая",
                "Нет лекарств в аптеке",
                "Грубость в поликлинике",
                "Прикрепление к поликлинике",
                "Очередь на обследование",
                "Нет педиатра",
            ],
            [
                "Записаться к участковому терапевту невозможно, в регистратуре не берут трубку.",
                "Скорая помощь ехала к пожилой матери больше часа.",
                "Бесплатные лекарства по диабету не выдают уже второй месяц.",
                "Медсестра в поликлинике нагрубила, врач отказался принять без талона.",
                "Нас не прикрепляют к поликлинике по месту жительства.",
                "Очередь на МРТ по направлению врача — три месяца.",
                "На участке нет педиатра, детей принимает фельдшер.",
                "В больнице пациентов кладут в коридоре, нет мест в палатах.",
            ],
            [
                "Прошу обеспечить приём у врача.",
                "Просим проверить работу поликлиники.",
                "Прошу обеспечить выдачу лекарств.",
                "Просим принять меры к медицинскому персоналу.",
            ],
        ),
        "ecology": (
            [
                "Вырубка деревьев",
                "Мусор во дворе",
                "Загрязнение воздуха",
                "Благоустройство сквера",
                "Детская площадка",
                "Бродячие собаки",
                "Свалка",
                "Полив газонов",
            ],
            [
                "Во дворе вырубили здоровые тополя без объявления.",
                "Мусорные контейнеры не вывозят неделю, вокруг разносится мусор.",
                "Зимой от частного сектора идёт густой дым, дышать нечем.",
                "Сквер возле дома зарос, скамейки сломаны, фонтан не работает.",
                "Детская площадка во дворе ржавая, качели опасные.",
                "Стая бродячих собак бросается на детей у школы.",
                "За гаражами образовалась стихийная свалка строительного мусора.",
                "Газоны и молодые деревья на бульваре не поливают, всё засохло.",
            ],
            [
                "Прошу провести проверку и наказать виновных.",
                "Просим благоустроить территорию.",
                "Прошу организовать вывоз мусора.",
                "Просим посадить новые деревья взамен вырубленных.",
            ],
        ),
        "social": (
            [
                "Адресная социальная помощь",
                "Помощь многодетной семье",
                "Пособие по инвалидности",
                "Трудоустройство",
                "Помощь пожилому человеку",
                "Курсы переквалификации",
                "Отказ в пособии",
            ],
            [
                "Я одна воспитываю троих детей, доход ниже прожиточного минимума.",
                "Мне отказали в назначении адресной социальной помощи без объяснения причин.",
                "Сыну с инвалидностью не выдали коляску и средства реабилитации.",
                "Я потерял работу полгода назад, центр занятости не предлагает вакансий.",
                "Моя бабушка одинокая, ей нужен социальный работник на дому.",
                "Хочу пройти бесплатные курсы переквалификации, но не знаю, куда обратиться.",
                "Многодетной семье не продлили пособие, документы сданы вовремя.",
                "После выпуска из колледжа не могу найти работу по специальности.",
            ],
            [
                "Прошу назначить помощь.",
                "Просим помочь с трудоустройством.",
                "Прошу пересмотреть решение об отказе.",
                "Просим включить в программу занятости.",
            ],
        ),
        "land": (
            [
                "Земельный участок под ИЖС",
                "Незаконная стройка",
                "Разрешение на строительство",
                "Детальная планировка",
                "Присвоение адреса",
                "Снос гаражей",
                "Оформление участка",
            ],
            [
                "Я стою в очереди на земельный участок под индивидуальное строительство с 2015 года.",
                "Рядом с нашим домом без разрешения строят многоэтажку на месте сквера.",
                "Разрешение на строительство дома не выдают уже четыре месяца.",
                "По новому проекту детальной планировки через наш участок проходит дорога.",
                "Дому на новой улице до сих пор не присвоили адрес, не можем прописаться.",
                "Гаражи во дворе хотят снести, но никто не показал решение о сносе.",
                "Не могу оформить правоустанавливающие документы на участок, которым пользуюсь 20 лет.",
                "Застройщик поставил забор на общественной территории и захватил проезд.",
            ],
            [
                "Прошу предоставить земельный участок.",
                "Просим проверить законность строительства.",
                "Прошу выдать разрешение или письменный отказ.",
                "Просим внести изменения в проект.",
            ],
        ),
    },
    "kk": {
        "utilities": (
            [
                "Жылу жоқ",
                "Ыстық су берілмейді",
                "Шатыр ағады",
                "Лифт істемейді",
                "Жарық өшіп қалады",
                "Кәріз бітелді",
                "КСК жұмыс істемейді",
                "Жылу ақысын қайта есептеу",
            ],
            [
                "Пәтердегі батареялар суық, бөлмеде 15 градус қана.",
                "Он күннен бері ыстық су жоқ, краннан тат аралас су ағады.",
                "Жаңбыр жауса болды, шатырдан бесінші қабатқа су ағады.",
                "Подъездегі лифт үш айдан бері тұр, қарт көршілер үйден шыға алмайды.",
                "Кешкісін ескертусіз электр жарығы жиі өшеді.",
                "Жертөледе кәріз суы тұр, подъезде жағымсыз иіс.",
                "КСК төрағасы телефон алмайды, жөндеуге жиналған ақша жұмсалмады.",
                "Қараша бойы батарея суық болса да, жылу үшін толық ақы есептелді.",
                "Суық судың қысымы әлсіз, жоғарғы қабаттарға су жетпейді.",
                "Подъезде шам жанбайды, жертөледегі жылу құбыры жарылды.",
            ],
            [
                "Ақаулықты жоюды сұраймын.",
                "Жылуды қалпына келтіріп, қайта есептеу жасауды сұраймыз.",
                "КСК жұмысын тексеруді сұраймын.",
                "Суық түскенше жөндеуді сұраймыз.",
            ],
        ),
        "roads": (
            [
                "Жолдағы шұңқырлар",
                "Автобус кестемен жүрмейді",
                "Бағдаршам қажет",
                "Аялдамада шатыр жоқ",
                "Маршрутты қайтару",
                "Жол жөндеу",
                "Жаяу жүргіншілер өткелі",
            ],
            [
                "Базар жанындағы жолда үлкен шұңқырлар бар, көліктің доңғалағы бүлінеді.",
                "12-бағыттағы автобус қырық минутта бір келеді, жүргізушілер кестені сақтамайды.",
                "Мектеп жанындағы қиылыста бағдаршам жоқ, балалар көліктің арасынан жүгіреді.",
                "Аялдамада шатыр да, орындық та жоқ, адамдар автобусты жаңбырда күтеді.",
                "37-маршрутты ықшамауданымыздан алып тастады, енді метроға жету қиын.",
                "Құбыр жөндегеннен кейін көшедегі асфальт қалпына келтірілмеді.",
                "Жаяу жүргіншілер өткелінің сызығы өшіп қалған, жүргізушілер тоқтамайды.",
                "Жолды қардан тазаламайды, автобустар өрде тайғанайды.",
                "Автобустағы валидатор «Онай» картасын қабылдамайды.",
            ],
            [
                "Жолды жөндеуді сұраймын.",
                "Маршрутты қайтарып, автобус санын көбейтуді сұраймыз.",
                "Бағдаршам мен белгілер орнатуды сұраймын.",
                "Тасымалдаушының жұмысын тексеруді сұраймыз.",
            ],
        ),
        "education": (
            [
                "Балабақшаға кезек",
                "Сынып толып кетті",
                "Басқа мектепке ауысу",
                "Мектептегі тамақ",
                "Мұғалім жоқ",
                "Мектепті жөндеу",
                "Балаларға үйірме",
            ],
            [
                "Ұлым екі жылдан бері балабақшаға кезекте тұр, нөмірі жылжымайды.",
                "Бірінші сыныпта 42 оқушы, балалар бір партада үшеуден отырады.",
                "Осы ауданға көшсек те, мектеп баланы қабылдаудан бас тартты.",
                "Мектеп асханасында тамақ суық, балалар аш қалады.",
                "Қыркүйектен бері мектепте математика мұғалімі жоқ, сабақтар өтпейді.",
                "Мектептің спорт залының шатыры ағады, сыныптардың терезелері жабылмайды.",
                "Ауданда оқушыларға арналған тегін үйірмелер мен секциялар жоқ.",
                "Ауылдан балаларды мектепке тасымалдамайды, мектеп автобусы бұзылған.",
            ],
            [
                "Балабақшадан орын беруді сұраймын.",
                "Қосымша сынып ашуды сұраймыз.",
                "Мектеп әкімшілігін тексеруді сұраймын.",
                "Оқу жылы басталғанша шешуді сұраймыз.",
            ],
        ),
        "health": (
            [
                "Дәрігерге жазылу",
                "Жедел жәрдем кешікті",
                "Тегін дәрі берілмейді",
                "Емханадағы дөрекілік",
                "Емханаға тіркелу",
                "Тексеруге кезек",
                "Педиатр жоқ",
            ],
            [
                "Учаскелік дәрігерге жазылу мүмкін емес, тіркеу бөлімі телефон алмайды.",
                "Жедел жәрдем қарт анама бір сағаттан астам уақытта келді.",
                "Қант диабетіне арналған тегін дәрі екі айдан бері берілмейді.",
                "Емханадағы медбике дөрекі сөйледі, дәрігер талонсыз қабылдамады.",
                "Бізді тұрғылықты жер бойынша емханаға тіркемейді.",
                "Дәрігер жолдамасымен МРТ-ға кезек үш айға созылды.",
                "Учаскеде педиатр жоқ, балаларды фельдшер қабылдайды.",
                "Ауруханада науқастарды дәлізге жатқызады, палатада орын жоқ.",
            ],
            [
                "Дәрігердің қабылдауын қамтамасыз етуді сұраймын.",
                "Емхананың жұмысын тексеруді сұраймыз.",
                "Дәрі беруді қамтамасыз етуді сұраймын.",
                "Медицина қызметкерлеріне шара қолдануды сұраймыз.",
            ],
        ),
        "ecology": (
            [
                "Ағаш кесу",
                "Аулада қоқыс",
                "Ауаның ластануы",
                "Саябақты абаттандыру",
                "Балалар алаңы",
                "Иесіз иттер",
                "Қоқыс үйіндісі",
            ],
            [
                "Аулада сау теректерді ешбір хабарландырусыз кесіп тастады.",
                "Қоқыс контейнерлері бір аптадан бері шығарылмайды, айнала қоқыс.",
                "Қыста жеке үйлерден қою түтін шығады, дем алу қиын.",
                "Үй жанындағы саябақты шөп басқан, орындықтар сынған.",
                "Аулада балалар алаңы тот басқан, әткеншектер қауіпті.",
                "Мектеп жанында иесіз иттер балаларға шабады.",
                "Гараждардың артында құрылыс қоқысының үйіндісі пайда болды.",
                "Бульвардағы көгал мен жас ағаштар суарылмайды, бәрі қурап қалды.",
            ],
            [
                "Тексеріп, кінәлілерді жазалауды сұраймын.",
                "Аумақты абаттандыруды сұраймыз.",
                "Қоқысты шығаруды ұйымдастыруды сұраймын.",
                "Кесілген ағаштардың орнына жаңа ағаш отырғызуды сұраймыз.",
            ],
        ),
        "social": (
            [
                "Атаулы әлеуметтік көмек",
                "Көпбалалы отбасына көмек",
                "Мүгедектік бойынша жәрдемақы",
                "Жұмысқа орналасу",
                "Қарт адамға көмек",
                "Қайта даярлау курстары",
            ],
            [
                "Үш баланы жалғыз тәрбиелеймін, табысым ең төменгі күнкөріс деңгейінен төмен.",
                "Маған атаулы әлеуметтік көмек тағайындаудан себебін айтпай бас тартты.",
                "Мүгедектігі бар ұлыма арба мен оңалту құралдары берілмеді.",
                "Жарты жыл бұрын жұмыстан айырылдым, жұмыспен қамту орталығы бос орын ұсынбайды.",
                "Әжем жалғыз тұрады, оған үйге келетін әлеуметтік қызметкер керек.",
                "Тегін қайта даярлау курстарынан өткім келеді, қайда бару керек екенін білмеймін.",
                "Көпбалалы отбасымызға жәрдемақы ұзартылмады, құжаттар уақытында тапсырылған.",
                "Колледжді бітіргеннен кейін мамандығым бойынша жұмыс таба алмай жүрмін.",
            ],
            [
                "Көмек тағайындауды сұраймын.",
                "Жұмысқа орналасуға көмектесуді сұраймыз.",
                "Бас тарту туралы шешімді қайта қарауды сұраймын.",
                "Жұмыспен қамту бағдарламасына қосуды сұраймыз.",
            ],
        ),
        "land": (
            [
                "Жеке тұрғын үй құрылысына жер",
                "Заңсыз құрылыс",
                "Құрылысқа рұқсат",
                "Егжей-тегжейлі жоспарлау",
                "Мекенжай беру",
                "Гараждарды бұзу",
            ],
            [
                "2015 жылдан бері жеке тұрғын үй құрылысына жер телімі кезегінде тұрмын.",
                "Үйіміздің жанында саябақтың орнына рұқсатсыз көпқабатты үй салып жатыр.",
                "Үй салуға рұқсат төрт айдан бері берілмейді.",
                "Жаңа егжей-тегжейлі жоспарлау жобасы бойынша біздің учаске арқылы жол өтеді.",
                "Жаңа көшедегі үйге әлі мекенжай берілмеген, тіркеле алмаймыз.",
                "Ауладағы гараждарды бұзбақ, бірақ бұзу туралы шешімді ешкім көрсетпеді.",
                "20 жыл пайдаланып келе жатқан жер теліміне құжат рәсімдей алмаймын.",
                "Құрылыс салушы қоғамдық аумаққа қоршау қойып, өтетін жолды басып алды.",
            ],
            [
                "Жер телімін беруді сұраймын.",
                "Құрылыстың заңдылығын тексеруді сұраймыз.",
                "Рұқсат немесе жазбаша бас тарту беруді сұраймын.",
                "Жобаға өзгерістер енгізуді сұраймыз.",
            ],
        ),
    },
    "en": {
        "utilities": (
            [
                "No heating",
                "No hot water",
                "Leaking roof",
                "Lift out of order",
                "Power cuts",
                "Blocked sewer",
                "Housing cooperative does nothing",
                "Heating bill recalculation",
            ],
            [
                "The radiators in our flat are barely warm and the rooms are at 14 degrees.",
                "There has been no hot water for ten days and the cold tap runs rusty.",
                "Every time it rains, water comes through the roof onto the top floor.",
                "The lift in our entrance has been broken for three months; elderly neighbours cannot go out.",
                "The electricity goes off almost every evening without warning.",
                "Sewage is standing in the basement and the whole stairwell smells.",
                "The chairman of the housing cooperative ignores calls and has not spent the repair fund.",
                "We were charged the full heating fee although the radiators were cold all November.",
                "The water pressure is so low that nothing reaches the upper floors.",
                "The stairwell lights are out and a heating pipe burst in the basement.",
            ],
            [
                "Please make the service company fix the fault.",
                "Please restore the supply and recalculate the bill.",
                "Please inspect the housing cooperative.",
                "Please repair it before the cold weather.",
            ],
        ),
        "roads": (
            [
                "Potholes on the road",
                "Bus does not keep to the timetable",
                "Traffic light needed",
                "Bus stop without a shelter",
                "Bring back the route",
                "Road repair",
                "Pedestrian crossing",
            ],
            [
                "The road by the market is full of deep potholes that damage car wheels.",
                "Bus number 12 comes once every forty minutes and drivers ignore the timetable.",
                "There is no traffic light at the junction by the school; children run between cars.",
                "The bus stop has no shelter and no bench, so people wait in the rain.",
                "Route 37 was taken out of our district and the metro is now out of reach.",
                "After the pipe works the asphalt on our street was never restored.",
                "The zebra crossing markings have worn off and drivers do not stop.",
                "The road is not cleared of snow and buses slide on the hill.",
                "The validator on the bus does not accept the Onay card.",
            ],
            [
                "Please repair the road surface.",
                "Please bring the route back and add buses.",
                "Please install a traffic light and signs.",
                "Please make the bus operator keep order.",
            ],
        ),
        "education": (
            [
                "Kindergarten waiting list",
                "Overcrowded class",
                "School transfer",
                "School meals",
                "No teacher",
                "School repairs",
                "Clubs for children",
            ],
            [
                "My son has been on the kindergarten waiting list for two years and his number barely moves.",
                "There are 42 pupils in the first grade and children sit three to a desk.",
                "The school refuses to take my child although we moved to this district.",
                "The school canteen serves cold food and children stay hungry.",
                "Since September the school has had no maths teacher and lessons are cancelled.",
                "The roof of the school gym leaks and classroom windows do not close.",
                "There are no free clubs or sports sections for schoolchildren in the district.",
                "Children from the village are not taken to school because the school bus is broken.",
            ],
            [
                "Please give us a kindergarten place.",
                "Please open an extra class.",
                "Please look into the school administration.",
                "Please solve this before the school year.",
            ],
        ),
        "health": (
            [
                "Doctor's appointment",
                "Ambulance took too long",
                "No free medicines",
                "Rudeness at the clinic",
                "Registering with a clinic",
                "Waiting list for a scan",
                "No paediatrician",
            ],
            [
                "It is impossible to book the district GP; the clinic's reception never answers.",
                "The ambulance took more than an hour to reach my elderly mother.",
                "Free diabetes medicines have not been given out for two months.",
                "A nurse at the clinic was rude and the doctor refused to see me without a ticket.",
                "We cannot register with the clinic at our place of residence.",
                "The waiting list for an MRI scan on a doctor's referral is three months.",
                "There is no paediatrician in our area; children are seen by a paramedic.",
                "Patients in the hospital are put in corridors because the wards are full.",
            ],
            [
                "Please make sure I can see a doctor.",
                "Please inspect the clinic.",
                "Please ensure the medicines are provided.",
                "Please take action against the medical staff.",
            ],
        ),
        "ecology": (
            [
                "Trees cut down",
                "Rubbish in the yard",
                "Air pollution",
                "Improving the square",
                "Playground",
                "Stray dogs",
                "Illegal dump",
            ],
            [
                "Healthy poplars in our yard were cut down without any notice.",
                "The bins have not been emptied for a week and rubbish blows everywhere.",
                "In winter thick smoke from private houses makes it hard to breathe.",
                "The square next to our building is overgrown and the benches are broken.",
                "The playground in the yard is rusty and the swings are dangerous.",
                "A pack of stray dogs chases children near the school.",
                "An illegal dump of building waste has appeared behind the garages.",
                "The lawns and young trees on the boulevard are not watered and have dried out.",
            ],
            [
                "Please investigate and punish those responsible.",
                "Please landscape the area.",
                "Please arrange rubbish collection.",
                "Please plant new trees in place of those felled.",
            ],
        ),
        "social": (
            [
                "Targeted social assistance",
                "Help for a large family",
                "Disability benefit",
                "Finding a job",
                "Help for an elderly person",
                "Retraining courses",
            ],
            [
                "I am raising three children alone and our income is below the subsistence minimum.",
                "I was refused targeted social assistance without any reason given.",
                "My disabled son has not been given a wheelchair or rehabilitation aids.",
                "I lost my job six months ago and the employment centre offers no vacancies.",
                "My grandmother lives alone and needs a social worker to visit her at home.",
                "I would like free retraining courses but do not know where to apply.",
                "Our large family's allowance was not extended although we filed the papers on time.",
                "Since leaving college I cannot find work in my profession.",
            ],
            [
                "Please grant the assistance.",
                "Please help me find a job.",
                "Please review the refusal.",
                "Please include me in the employment programme.",
            ],
        ),
        "land": (
            [
                "Land plot for a house",
                "Unauthorised construction",
                "Building permit",
                "Detailed planning project",
                "Assigning an address",
                "Demolition of garages",
            ],
            [
                "I have been on the waiting list for a plot to build a house since 2015.",
                "A high-rise is being built without a permit on the site of a square next to us.",
                "My building permit has been pending for four months.",
                "Under the new detailed planning project a road would cross our plot.",
                "Our house on a new street still has no address, so we cannot register there.",
                "The garages in our yard are to be demolished but nobody has shown us the decision.",
                "I cannot get title documents for a plot I have used for twenty years.",
                "A developer fenced off public land and blocked the driveway.",
            ],
            [
                "Please allocate a land plot.",
                "Please check whether the construction is lawful.",
                "Please issue the permit or a written refusal.",
                "Please amend the project.",
            ],
        ),
    },
}

# What each department answers for, as residents name it: a sentence is made of one with a frame below,
# so that the history covers the department's whole remit, not only its most frequent complaints.
TOPICS: dict[str, dict[str, list[str]]] = {
    "ru": {
        "utilities": [
            "газоснабжение дома и утечка газа",
            "поверка и замена счётчиков воды",
            "скачки напряжения и проводка",
            "канализационные колодцы и люки",
            "промерзание водопровода",
            "очистка кровли от наледи",
            "подключение дома к теплосети",
            "работа ОСИ и управляющей компании",
            "качество водопроводной воды",
            "домофон и двери подъезда",
            "подвал, затопленный из-за порыва трубы",
            "перерасчёт коммунальных платежей",
        ],
        "roads": [
            "искусственные неровности и знаки",
            "ремонт тротуаров",
            "понижение бордюров на переходах",
            "работа водителей автобусов",
            "новые автобусные маршруты",
            "схема движения на перекрёстке",
            "ливнёвка на проезжей части",
            "пешеходные мостики",
            "парковка на тротуарах",
            "льготный проезд на карте",
            "посыпка дорог в гололёд",
            "подъездные дороги к новым домам",
        ],
        "education": [
            "зачисление в первый класс",
            "травля в школе",
            "отопление и ремонт школьного здания",
            "инклюзивное образование и тьюторы",
            "оплата в частных садиках по госзаказу",
            "учебники",
            "пришкольные лагеря",
            "школьный автобус",
            "поборы в школе",
            "школьный стадион",
            "общежитие колледжа",
            "музыкальные и художественные школы",
        ],
        "health": [
            "стоматология",
            "прививки и вакцины",
            "роддом",
            "приём в поликлинике",
            "медицинские справки",
            "платные анализы",
            "бесплатные лекарства",
            "работа скорой помощи",
            "сельская амбулатория",
            "вакцина от бешенства в травмпункте",
            "прикрепление к поликлинике",
            "квоты на операции",
            "психолог для подростков",
            "дневной стационар",
        ],
        "ecology": [
            "вырубка и обрезка деревьев",
            "сжигание листвы",
            "раздельный сбор отходов",
            "полив зелёных насаждений",
            "загрязнение реки",
            "отлов бродячих животных",
            "площадки для выгула собак",
            "аварийные деревья",
            "стихийные свалки",
            "пыль от карьеров",
            "благоустройство дворов и скверов",
            "скамейки в скверах",
            "вывоз мусора с контейнерных площадок",
            "запах от полигона",
            "газоны",
        ],
        "social": [
            "жилищная помощь на оплату коммунальных услуг",
            "материальная помощь малоимущим",
            "социальное такси",
            "бесплатный проезд для лиц с инвалидностью",
            "молодёжная практика",
            "общественные работы",
            "помощь из фонда всеобуча",
            "центр для бездомных",
            "слуховые аппараты и средства реабилитации",
            "выплаты ветеранам",
            "часы сурдопереводчика",
            "пособие по уходу за инвалидом",
            "социальное арендное жильё",
            "льготы для пенсионеров",
        ],
        "land": [
            "границы земельных участков",
            "согласование перепланировки",
            "разрешения на строительство",
            "размещение киосков",
            "земля для крестьянского хозяйства",
            "самовольные пристройки",
            "присвоение и исправление адреса",
            "изъятие земли для госнужд",
            "красные линии и генплан",
            "фасады и архитектурный облик",
            "этажность застройки",
            "узаконение построек",
            "участки под школы и социальные объекты",
            "земля под гаражами",
            "эскизные проекты",
        ],
    },
    "kk": {
        "utilities": [
            "үйді газбен жабдықтау және газдың шығуы",
            "су есептегіштерін тексеру және ауыстыру",
            "кернеудің секіруі және электр сымдары",
            "кәріз құдықтары мен люктер",
            "су құбырының қатуы",
            "шатырды мұздан тазалау",
            "үйді жылу желісіне қосу",
            "ПИК пен басқарушы компанияның жұмысы",
            "ауыз судың сапасы",
            "подъезд есігі мен домофон",
            "құбыр жарылып, суға толған жертөле",
            "коммуналдық төлемдерді қайта есептеу",
        ],
        "roads": [
            "жасанды кедергілер мен белгілер",
            "тротуар жөндеу",
            "өткелдердегі жиектастарды төмендету",
            "автобус жүргізушілерінің жұмысы",
            "жаңа автобус маршруттары",
            "қиылыстағы қозғалыс сызбасы",
            "жолдағы нөсер кәрізі",
            "жаяу көпірлер",
            "тротуардағы көлік тұрағы",
            "картадағы жеңілдікпен жол жүру",
            "көктайғақта жолға құм себу",
            "жаңа үйлерге кірме жолдар",
        ],
        "education": [
            "бірінші сыныпқа қабылдау",
            "мектептегі қорлау",
            "мектеп ғимаратын жылыту және жөндеу",
            "инклюзивті білім және тьюторлар",
            "мемлекеттік тапсырыстағы жеке балабақшалардағы ақы",
            "оқулықтар",
            "мектеп жанындағы лагерьлер",
            "мектеп автобусы",
            "мектептегі ақша жинау",
            "мектеп стадионы",
            "колледж жатақханасы",
            "музыка және көркемсурет мектептері",
        ],
        "health": [
            "тіс емдеу",
            "екпелер мен вакциналар",
            "перзентхана",
            "емханадағы қабылдау",
            "медициналық анықтамалар",
            "ақылы талдаулар",
            "тегін дәрі-дәрмек",
            "жедел жәрдемнің жұмысы",
            "ауылдық амбулатория",
            "жарақат пунктіндегі құтыруға қарсы вакцина",
            "емханаға тіркелу",
            "отаға квота",
            "жасөспірімдерге психолог",
            "күндізгі стационар",
        ],
        "ecology": [
            "ағаш кесу және бұтау",
            "жапырақ өртеу",
            "қалдықтарды бөлек жинау",
            "жасыл екпелерді суару",
            "өзеннің ластануы",
            "иесіз жануарларды аулау",
            "ит серуендететін алаңдар",
            "апатты ағаштар",
            "рұқсатсыз қоқыс үйінділері",
            "карьер шаңы",
            "аулалар мен скверлерді абаттандыру",
            "скверлердегі орындықтар",
            "контейнер алаңдарынан қоқыс шығару",
            "полигонның иісі",
            "көгалдар",
        ],
        "social": [
            "коммуналдық төлемге тұрғын үй көмегі",
            "аз қамтылғандарға материалдық көмек",
            "әлеуметтік такси",
            "мүгедектігі бар адамдардың тегін жол жүруі",
            "жастар практикасы",
            "қоғамдық жұмыстар",
            "жалпыға бірдей оқыту қорынан көмек",
            "баспанасыздарға арналған орталық",
            "есту аппараттары мен оңалту құралдары",
            "ардагерлерге төлемдер",
            "ымдау тілі аудармашысының сағаттары",
            "мүгедекті күтуге жәрдемақы",
            "әлеуметтік жалға берілетін тұрғын үй",
            "зейнеткерлерге жеңілдіктер",
        ],
        "land": [
            "жер телімдерінің шекаралары",
            "қайта жоспарлауды келісу",
            "құрылысқа рұқсат",
            "дүңгіршектерді орналастыру",
            "шаруа қожалығына жер",
            "өз бетінше салынған жапсаржайлар",
            "мекенжай беру және түзету",
            "мемлекет мұқтажы үшін жерді алып қою",
            "қызыл сызықтар және бас жоспар",
            "қасбеттер мен сәулет келбеті",
            "құрылыстың қабат саны",
            "құрылысты заңдастыру",
            "мектеп пен әлеуметтік нысандарға арналған учаскелер",
            "гараж астындағы жер",
            "эскиздік жобалар",
        ],
    },
    "en": {
        "utilities": [
            "the gas supply and gas leaks",
            "checking and replacing water meters",
            "voltage surges and wiring",
            "sewer manholes and covers",
            "frozen water pipes",
            "clearing ice from roofs",
            "connecting buildings to the heating network",
            "the owners' association and management company",
            "the quality of tap water",
            "entrance doors and intercoms",
            "a basement flooded by a burst pipe",
            "recalculating utility bills",
        ],
        "roads": [
            "speed bumps and road signs",
            "pavement repairs",
            "dropped kerbs at crossings",
            "bus drivers' conduct",
            "new bus routes",
            "the traffic scheme at a junction",
            "storm drains on the carriageway",
            "footbridges",
            "cars parked on pavements",
            "concession fares on transport cards",
            "gritting icy roads",
            "access roads to new buildings",
            "feeder buses to the light rail",
        ],
        "education": [
            "enrolment in the first grade",
            "bullying at school",
            "heating and repairs of school buildings",
            "inclusive education and tutors",
            "fees at state-funded private kindergartens",
            "textbooks",
            "school summer camps",
            "the school bus",
            "money collected from parents",
            "school sports grounds",
            "college dormitories",
            "music and art schools",
        ],
        "health": [
            "dental care",
            "vaccinations",
            "the maternity hospital",
            "appointments at the clinic",
            "medical certificates",
            "paid laboratory tests",
            "free medicines",
            "the ambulance service",
            "the village doctor's surgery",
            "rabies vaccine in the emergency room",
            "registering with a clinic",
            "quotas for operations",
            "psychologists for teenagers",
            "the day ward",
        ],
        "ecology": [
            "felling and pruning trees",
            "burning leaves",
            "separate waste collection",
            "watering greenery",
            "river pollution",
            "catching stray animals",
            "dog walking areas",
            "dangerous trees",
            "illegal dumps",
            "dust from quarries",
            "landscaping yards and squares",
            "benches in squares",
            "emptying the bin areas",
            "the smell from a landfill",
            "lawns",
        ],
        "social": [
            "the housing allowance for utility bills",
            "material help for low-income families",
            "the social taxi",
            "free travel for disabled people",
            "youth work placements",
            "public works",
            "help from the universal education fund",
            "a centre for homeless people",
            "hearing aids and rehabilitation aids",
            "payments to veterans",
            "sign language interpreter hours",
            "the carer's allowance",
            "social rental housing",
            "concessions for pensioners",
        ],
        "land": [
            "boundaries of land plots",
            "approval of flat redevelopment",
            "building permits",
            "placing kiosks",
            "land for farms",
            "unauthorised extensions",
            "assigning and correcting addresses",
            "taking land for public needs",
            "red lines and the master plan",
            "facades and the look of the city",
            "the permitted height of buildings",
            "legalising buildings",
            "plots for schools and public buildings",
            "land under garages",
            "sketch designs",
        ],
    },
}
FRAMES = {
    "ru": [
        "Обращаюсь по вопросу: {}.",
        "Прошу разобраться, вопрос касается темы «{}».",
        "У нас проблема: {}.",
        "Пишу по поводу: {}.",
        "Никто не может ответить, кто отвечает за этот вопрос: {}.",
    ],
    "kk": [
        "Мына мәселе бойынша жүгінемін: {}.",
        "Мәселе «{}» тақырыбына қатысты, анықтауды сұраймын.",
        "Бізде мәселе бар: {}.",
        "Мына жайында жазып отырмын: {}.",
        "Бұған кім жауапты екенін ешкім айтпайды: {}.",
    ],
    "en": [
        "I am writing about {}.",
        "Please look into a matter of {}.",
        "We have a problem with {}.",
        "My question concerns {}.",
        "Nobody can tell me who is responsible for {}.",
    ],
}

OPENERS = {
    "ru": [
        "",
        "",
        "Здравствуйте.",
        "Уважаемый аким!",
        "Обращаюсь как житель микрорайона {place}.",
        "Пишу от имени жильцов дома на улице {street}.",
    ],
    "kk": [
        "",
        "",
        "Сәлеметсіз бе.",
        "Құрметті әкім!",
        "{place} ықшамауданының тұрғыны ретінде жазып отырмын.",
        "{street} көшесіндегі үй тұрғындарының атынан жазамын.",
    ],
    "en": [
        "",
        "",
        "Hello.",
        "Dear Akim,",
        "I am writing as a resident of the {place} district.",
        "I write on behalf of the residents of a building on {street} street.",
    ],
}
CLOSERS = {
    "ru": ["", "Заранее спасибо.", "Прошу дать письменный ответ.", "Жалобы в другие инстанции результата не дали."],
    "kk": [
        "",
        "Алдын ала рахмет.",
        "Жазбаша жауап беруіңізді сұраймын.",
        "Басқа мекемелерге жазғанымыз нәтиже бермеді.",
    ],
    "en": ["", "Thank you in advance.", "Please reply in writing.", "Complaints elsewhere have led nowhere."],
}
PLACES = ["Самал", "Алмагуль", "Жетысу", "Сарыарка", "Есиль", "Байконур", "Алатау", "Коктем", "Шугыла"]
STREETS = ["Абая", "Кенесары", "Сейфуллина", "Достык", "Толе би", "Республики", "Жибек жолы", "Момышулы"]


@dataclass(frozen=True)
class CorpusLetter:
    language: str
    filed_category: str  # the category the resident chose: the department's own, "other" or another
    department: str  # the category code of the department that should answer
    subject: str
    body: str


def _filed_category(rng: random.Random, department: str) -> str:
    """As residents file: mostly the right category, often "other", now and then a plausible wrong one."""
    draw = rng.random()
    if draw < 0.65:
        return department
    if draw < 0.85:
        return "other"
    return rng.choice([d for d in DEPARTMENTS if d != department])


def compose(rng: random.Random, language: str, department: str) -> CorpusLetter:
    subjects, problems, requests = PHRASES[language][department]
    chosen = rng.sample(problems, 2 if rng.random() < 0.4 else 1)
    if rng.random() < 0.5:  # the department's remit in the resident's words, before or instead of a complaint
        topic = rng.choice(FRAMES[language]).format(rng.choice(TOPICS[language][department]))
        chosen = [topic] if rng.random() < 0.4 else [topic, chosen[0]]
    if rng.random() < 0.15:  # a side remark about another department's matter, as real letters have
        elsewhere = rng.choice([d for d in DEPARTMENTS if d != department])
        chosen.insert(0, rng.choice(PHRASES[language][elsewhere][1]))
    opener = rng.choice(OPENERS[language]).format(place=rng.choice(PLACES), street=rng.choice(STREETS))
    parts = [opener, *chosen, rng.choice(requests), rng.choice(CLOSERS[language])]
    return CorpusLetter(
        language=language,
        filed_category=_filed_category(rng, department),
        department=department,
        subject=rng.choice(subjects),
        body=" ".join(p for p in parts if p),
    )


def training_letters(per_department_and_language: int = 24, seed: int = 2026) -> list[CorpusLetter]:
    """A shuffled history: every department in every language, equally often."""
    rng = random.Random(seed)
    letters = [
        compose(rng, language, department)
        for language in LANGUAGES
        for department in DEPARTMENTS
        for _ in range(per_department_and_language)
    ]
    rng.shuffle(letters)
    return letters


def record_history(akimat, staff: dict, per_department_and_language: int, seed: int, now) -> int:
    """The demo akimat's past: letters of the corpus received two to four months ago, routed as a
    registrar routes them (the category's department first; moved with a reason when the category
    was wrong; chosen by hand for "other"), answered and approved. Returns how many were written."""
    from datetime import timedelta

    from .demo import ANSWERS, PEOPLE
    from .domain import lifecycle
    from .models import Decision, LetterKind, Role

    categories = {c.code: c for c in akimat.categories}
    letters = training_letters(per_department_and_language, seed=seed + akimat.id)
    registrar, controller = staff[Role.REGISTRAR], staff[Role.CONTROLLER]
    for i, sample in enumerate(letters):
        received = now - timedelta(days=120) + timedelta(hours=i * 75 * 24 // max(len(letters), 1))
        surname, given_name, patronymic = PEOPLE[i % len(PEOPLE)]
        letter, _code = lifecycle.submit(
            akimat,
            lifecycle.Submission(
                kind=LetterKind.APPLICATION,
                category=categories[sample.filed_category],
                language=sample.language,
                subject=sample.subject,
                body=sample.body,
                surname=surname,
                given_name=given_name,
                patronymic=patronymic,
                address=f"{akimat.name_ru}, ул. Демонстрационная, {i + 1}",
                submission_token=f"demo-history-{akimat.slug}-{i}",
            ),
            now=received,
        )
        right = categories[sample.department].default_department
        first = letter.category.default_department or right
        lifecycle.assign(letter, first, registrar, now=received + timedelta(hours=3))
        if first != right:  # the correction the classifier learns from
            lifecycle.assign(
                letter, right, registrar, reason="Вопрос в ведении другого управления", now=received + timedelta(days=1)
            )
        executor = staff["executors"][right.id]
        lifecycle.submit_draft(
            letter,
            executor,
            Decision.SATISFIED,
            f"{letter.number}. {ANSWERS[sample.language]}",
            now=received + timedelta(days=4),
        )
        lifecycle.approve_draft(letter, controller, now=received + timedelta(days=4, hours=2))
    return len(letters)
