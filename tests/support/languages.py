"""Short news texts in other languages than English, written for the tests (not from any
fixture or eval set): a few sentences each, with the punctuation and abbreviations of their
language. One line per paragraph, as extracted article text is.
"""

# ruff: noqa: E501

from __future__ import annotations

RU = """В воскресенье в Молдове прошли парламентские выборы. По данным избирательной комиссии, явка составила 52 процента, что на шесть пунктов выше, чем в 2021 г. на прошлых выборах.

Правящая партия «Действие и солидарность» получила большинство голосов, т. е. сможет сформировать правительство без коалиции. Лидер партии заявил, что на выборах граждане подтвердили курс страны на сближение с Евросоюзом.

Оппозиция потребовала пересчитать голоса в трёх округах. Наблюдатели ОБСЕ сообщили о единичных нарушениях, но назвали голосование в целом свободным.

Окончательные итоги комиссия объявит в течение недели."""

ES = """El Gobierno de España aprobó este martes un nuevo plan para reducir el consumo de agua en las ciudades durante la sequía. La medida afectará a más de 200 municipios de Andalucía y Cataluña.

Según el Ministerio para la Transición Ecológica, las reservas de los embalses están al 28 por ciento de su capacidad, el nivel más bajo desde 1995. El Sr. Planas explicó que las restricciones serán temporales.

Los agricultores criticaron el plan porque, según ellos, no ofrece ayudas suficientes para el riego. «Sin agua no hay cosecha», dijo el portavoz de la asociación agraria.

El plan entrará en vigor el próximo lunes y se revisará cada tres meses."""

DE = """Der Bundestag hat am Donnerstag ein neues Gesetz zum Klimaschutz beschlossen. Es verpflichtet Unternehmen mit mehr als 500 Beschäftigten, ihre Emissionen jährlich offenzulegen.

Die Regierung rechnet mit Kosten von ca. 2 Mrd. Euro für die Wirtschaft. Wirtschaftsverbände kritisierten die neuen Pflichten als zu bürokratisch, z. B. bei kleineren Zulieferern.

„Wir schaffen endlich Klarheit für Investoren“, sagte die Ministerin im Plenum. Die Opposition kündigte an, das Gesetz vor dem Bundesverfassungsgericht prüfen zu lassen.

Das Gesetz soll im Januar in Kraft treten."""

AR = """أعلنت وزارة الصحة المصرية يوم الأحد عن حملة وطنية جديدة للتطعيم ضد شلل الأطفال. وتستهدف الحملة أكثر من ١٦ مليون طفل في جميع المحافظات.

وقال المتحدث باسم الوزارة إن فرق التطعيم ستزور المنازل والمدارس خلال خمسة أيام. هل ستشمل الحملة المناطق الريفية؟ أكد المتحدث أن القرى النائية لها أولوية خاصة.

وأشارت منظمة الصحة العالمية إلى أن مصر خالية من المرض منذ عام ٢٠٠٦، لكن الحملات الدورية ضرورية للحفاظ على هذا الإنجاز.

وتنتهي الحملة يوم الخميس المقبل."""

UK = """У неділю в Києві відбулися місцеві вибори. Явка становила 41 відсоток, повідомила виборча комісія.

Кандидати від опозиції заявили про порушення на кількох дільницях. Остаточні результати виборів оголосять у середу."""

FA = """روز دوشنبه وزارت نیرو از افزایش مصرف برق در تهران خبر داد. به گفته سخنگوی وزارت، مصرف برق در هفته گذشته ۱۲ درصد بیشتر از سال قبل بوده است.

دولت از مردم خواسته است که در ساعات اوج مصرف، وسایل پرمصرف را خاموش کنند. آیا خاموشی‌های برنامه‌ریزی‌شده ادامه خواهد داشت؟ سخنگو گفت که این موضوع به دمای هوا بستگی دارد.

کارشناسان می‌گویند که سرمایه‌گذاری در نیروگاه‌های خورشیدی می‌تواند این مشکل را کاهش دهد."""

PT = """O governo brasileiro anunciou nesta segunda-feira um novo programa de habitação para famílias de baixa renda. O plano prevê a construção de 500 mil moradias até 2026.

Segundo o Ministério das Cidades, o investimento será de R$ 40 bilhões. O Sr. Jader Filho afirmou que as obras começarão em março.

Prefeitos de várias capitais elogiaram a medida, mas pediram mais recursos para infraestrutura. “Sem saneamento, não há moradia digna”, disse o presidente da associação de municípios.

O programa será votado no Congresso em abril."""

TEXTS = {"ru": RU, "es": ES, "de": DE, "ar": AR, "uk": UK, "fa": FA, "pt": PT}
