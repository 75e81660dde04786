"""Vocabulary for the synthetic generator: per canonical category, the words a client uses.

Each entry of :data:`CATEGORIES` holds the source categories that map to it (Upwork
subcategory names, Freelancer ``jobs[]`` with their parent category), title templates,
description sentences, skill tags, a base hourly rate in USD and a base fixed budget.
Template slots (``{topic}``, ``{niche}``...) are filled from the entry's own lists.

Example: ``CATEGORIES["writing"]["upwork_categories"][0] == "Article & Blog Writing"``
"""

from __future__ import annotations

# Freelancer's top-level job categories (jobs[].category), ids as used in the fixtures.
FL_WEB = (1, "Websites, IT & Software")
FL_MOBILE = (2, "Mobile Phones & Computing")
FL_WRITING = (3, "Writing & Content")
FL_DESIGN = (4, "Design, Media & Architecture")
FL_ADMIN = (5, "Data Entry & Admin")
FL_ENGINEERING = (6, "Engineering & Science")
FL_SALES = (8, "Sales & Marketing")
FL_BUSINESS = (10, "Business, Accounting, Human Resources & Legal")
FL_TRANSLATION = (11, "Translation & Languages")

NICHES = [
    "SaaS startup", "fitness brand", "real estate agency", "dental clinic", "crypto exchange",
    "pet food company", "travel blog", "e-commerce store", "law firm", "coffee roaster",
    "B2B software company", "online course platform", "skincare brand", "fintech app",
    "home improvement business", "nonprofit", "yoga studio", "marketing agency",
    "restaurant group", "solar energy installer", "car rental service", "wedding planner",
]
TOPICS = [
    "personal finance", "remote work", "healthy cooking", "cybersecurity", "gardening",
    "digital marketing", "cloud computing", "parenting", "sustainable fashion", "web hosting",
    "project management", "mental health", "home workouts", "small business taxes",
    "electric vehicles", "language learning", "productivity tools", "supply chain",
]
LANGUAGES = [
    "Spanish", "German", "French", "Japanese", "Portuguese", "Italian", "Arabic", "Korean",
    "Chinese (Simplified)", "Dutch", "Polish", "Turkish", "Russian", "Vietnamese",
]
DOCS = [
    "website", "mobile app", "user manual", "marketing brochure", "legal contract",
    "product catalog", "YouTube subtitles", "medical report", "e-book", "online course",
]

CLOSINGS = [
    "Please start your proposal with your favourite color so I know you read this.",
    "Looking forward to working with you!",
    "Long-term work is available for the right person.",
    "Please share samples of similar work in your proposal.",
    "Only apply if you can start this week.",
    "Fixed deadline, so please confirm your availability.",
    "We are a small team and value clear communication.",
    "Thanks for reading, we will reply to every proposal.",
]

CATEGORIES: dict[str, dict] = {
    "writing": {
        "upwork_categories": ["Article & Blog Writing", "Content Writing", "Creative Writing"],
        "freelancer_jobs": [
            (1, "Article Writing", FL_WRITING), (2, "Content Writing", FL_WRITING),
            (3, "Blog Writing", FL_WRITING), (4, "Copywriting", FL_WRITING),
            (5, "Ghostwriting", FL_WRITING), (6, "Creative Writing", FL_WRITING),
        ],
        "skills": ["Article Writing", "Blog Writing", "Content Writing", "SEO Writing",
                   "Copywriting", "Creative Writing", "Ghostwriting", "Proofreading",
                   "English", "WordPress", "Editing"],
        "titles": [
            "Write SEO blog posts for a {niche}",
            "{n} articles about {topic}",
            "Ghostwriter needed for an e-book on {topic}",
            "Long-form content writer for {topic} website",
            "Blog writer for our {niche}",
            "Weekly newsletter writer ({topic})",
            "Rewrite and expand existing articles on {topic}",
        ],
        "sentences": [
            "We are looking for a native English writer to produce {n} blog posts of about 1,500 words each on {topic}.",
            "Each article must be original, well researched and optimized for SEO with the keywords we provide.",
            "You will work from a content brief and outline prepared by our editor.",
            "Experience writing for a {niche} is a big plus.",
            "Please include links to two or three published articles in your proposal.",
            "The tone is friendly and practical; no fluff and no AI-generated text, please.",
            "We publish twice a week and need someone reliable for ongoing work.",
        ],
        "hourly_usd": 25.0,
        "budget_usd": 180.0,
        "hourly_share": 0.35,
        "weight": 12.0,
    },
    "translation": {
        "upwork_categories": ["Translation", "Translation & Localization Services"],
        "freelancer_jobs": [
            (11, "Translation", FL_TRANSLATION), (12, "Spanish Translator", FL_TRANSLATION),
            (13, "German Translator", FL_TRANSLATION), (14, "French Translator", FL_TRANSLATION),
            (15, "Japanese Translator", FL_TRANSLATION), (16, "Proofreading", FL_TRANSLATION),
        ],
        "skills": ["Translation", "English", "Proofreading", "Localization",
                   "Subtitling", "Transcription", "Document Translation"],
        "titles": [
            "Translate our {doc} from English to {language}",
            "English to {language} translator needed",
            "{language} native speaker to proofread {doc}",
            "Localize {doc} into {language}",
            "Translate {n} pages from {language} to English",
        ],
        "sentences": [
            "We need a professional translator to translate our {doc} from English into {language}.",
            "The source text is about {n},000 words and mostly about {topic}.",
            "You must be a native {language} speaker; machine translation will be rejected.",
            "Please keep the formatting of the original document.",
            "Familiarity with CAT tools such as Trados or memoQ is preferred.",
            "There will be more documents every month if this first job goes well.",
        ],
        "hourly_usd": 22.0,
        "budget_usd": 120.0,
        "hourly_share": 0.3,
        "weight": 6.0,
    },
    "customer service": {
        "upwork_categories": ["Customer Service & Tech Support", "Customer Service"],
        "freelancer_jobs": [
            (21, "Customer Service", FL_ADMIN), (22, "Customer Support", FL_ADMIN),
            (23, "Phone Support", FL_ADMIN), (24, "Technical Support", FL_ADMIN),
            (25, "Live Chat Support", FL_ADMIN),
        ],
        "skills": ["Customer Service", "Customer Support", "Email Support", "Live Chat",
                   "Zendesk", "Phone Support", "Technical Support", "Gorgias", "English"],
        "titles": [
            "Customer support agent for {niche}",
            "Live chat and email support representative",
            "Part-time customer service rep (US hours)",
            "Zendesk support specialist for {niche}",
            "Technical support agent for our app",
        ],
        "sentences": [
            "We are hiring a customer support representative to answer tickets by email and live chat.",
            "You will handle order questions, refunds and simple troubleshooting for our {niche}.",
            "Shifts are 20 to 40 hours a week and must overlap with US Eastern time.",
            "Excellent written English and a quiet work environment are required.",
            "Experience with Zendesk, Gorgias or Freshdesk is a plus.",
            "We provide training and a knowledge base for the first week.",
        ],
        "hourly_usd": 12.0,
        "budget_usd": 250.0,
        "hourly_share": 0.8,
        "weight": 5.0,
    },
    "video editing & production": {
        "upwork_categories": ["Video Editing & Production", "Video Production"],
        "freelancer_jobs": [
            (31, "Video Editing", FL_DESIGN), (32, "Video Production", FL_DESIGN),
            (33, "After Effects", FL_DESIGN), (34, "Animation", FL_DESIGN),
            (35, "Video Services", FL_DESIGN),
        ],
        "skills": ["Video Editing", "Adobe Premiere Pro", "Adobe After Effects",
                   "DaVinci Resolve", "Motion Graphics", "Video Production",
                   "YouTube", "Color Grading", "Final Cut Pro", "Short Video Ads"],
        "titles": [
            "Video editor for YouTube channel about {topic}",
            "Edit {n} short-form videos for TikTok and Reels",
            "Promo video for our {niche}",
            "Motion graphics explainer video",
            "Long-term video editor for weekly podcast episodes",
        ],
        "sentences": [
            "We need an experienced video editor to cut raw footage into engaging {n}-minute videos.",
            "The channel covers {topic} and publishes two videos a week.",
            "Tasks include cutting, color correction, captions, music and simple motion graphics.",
            "Please send a portfolio with YouTube or short-form examples.",
            "We use Premiere Pro but are open to DaVinci Resolve.",
            "Fast turnaround (48 hours per video) is important to us.",
        ],
        "hourly_usd": 28.0,
        "budget_usd": 200.0,
        "hourly_share": 0.4,
        "weight": 6.0,
    },
    "graphic design": {
        "upwork_categories": ["Graphic Design", "Logo Design & Branding"],
        "freelancer_jobs": [
            (41, "Graphic Design", FL_DESIGN), (42, "Logo Design", FL_DESIGN),
            (43, "Photoshop", FL_DESIGN), (44, "Illustrator", FL_DESIGN),
            (45, "Banner Design", FL_DESIGN),
        ],
        "skills": ["Graphic Design", "Adobe Illustrator", "Adobe Photoshop", "Logo Design",
                   "Brand Identity", "Canva", "Print Design", "Social Media Imagery",
                   "Packaging Design"],
        "titles": [
            "Logo and brand identity for a {niche}",
            "Design {n} social media graphics per week",
            "Packaging design for {niche}",
            "Flyer and brochure design",
            "Pitch deck design for {niche}",
        ],
        "sentences": [
            "We are looking for a creative graphic designer to create a modern logo and brand guide.",
            "Deliverables: {n} concepts, two rounds of revisions and final files in AI, SVG and PNG.",
            "Our audience is young professionals interested in {topic}.",
            "Please share your portfolio; Behance or Dribbble links are fine.",
            "Experience with print-ready files is required.",
        ],
        "hourly_usd": 27.0,
        "budget_usd": 150.0,
        "hourly_share": 0.3,
        "weight": 8.0,
    },
    "web design": {
        "upwork_categories": ["Web Design"],
        "freelancer_jobs": [
            (51, "Website Design", FL_DESIGN), (52, "Figma", FL_DESIGN),
            (53, "HTML", FL_WEB), (54, "CSS", FL_WEB), (55, "Landing Pages", FL_DESIGN),
        ],
        "skills": ["Web Design", "Figma", "Landing Page", "UX & UI", "Responsive Design",
                   "Webflow", "Wix", "HTML", "CSS", "Adobe XD"],
        "titles": [
            "Redesign homepage for a {niche}",
            "Figma mockups for {n} landing pages",
            "Webflow website design for {niche}",
            "Modern responsive website design",
            "UI design for our booking website",
        ],
        "sentences": [
            "We need a web designer to create a clean, modern design for our {niche} website.",
            "The site has about {n} pages and should work well on mobile.",
            "Please deliver the designs in Figma with a simple style guide.",
            "Bonus if you can also build the pages in Webflow or WordPress.",
            "Share two or three websites you designed recently.",
        ],
        "hourly_usd": 32.0,
        "budget_usd": 600.0,
        "hourly_share": 0.35,
        "weight": 7.0,
    },
    "web & software development": {
        "upwork_categories": ["Web Development", "Full Stack Development", "Back-End Development",
                              "Front-End Development", "Ecommerce Development"],
        "freelancer_jobs": [
            (61, "PHP", FL_WEB), (62, "JavaScript", FL_WEB), (63, "Python", FL_WEB),
            (64, "React.js", FL_WEB), (65, "Node.js", FL_WEB), (66, "Laravel", FL_WEB),
            (67, "WordPress", FL_WEB), (68, "Shopify", FL_WEB),
        ],
        "skills": ["JavaScript", "PHP", "Python", "React", "Node.js", "Laravel", "WordPress",
                   "Shopify", "Django", "API Integration", "MySQL", "TypeScript", "Vue.js"],
        "titles": [
            "Fix bugs in our {stack} web app",
            "Build a custom WordPress plugin",
            "Shopify store customization for {niche}",
            "Full stack developer for MVP ({stack})",
            "Integrate Stripe payments into {stack} site",
            "Senior {stack} developer for ongoing work",
        ],
        "sentences": [
            "We are looking for an experienced developer to extend our {stack} application.",
            "The project is a platform for a {niche} with about {n} existing pages and an admin area.",
            "You will fix bugs, add features and write tests for the code you touch.",
            "Experience with REST APIs and MySQL or PostgreSQL is required.",
            "The code is on GitHub and we review every pull request.",
            "Please mention the most complex project you built in your proposal.",
        ],
        "stacks": ["React", "Laravel", "Django", "Node.js", "Vue.js", "Next.js", "PHP", "Ruby on Rails"],
        "hourly_usd": 38.0,
        "budget_usd": 800.0,
        "hourly_share": 0.5,
        "weight": 16.0,
    },
    "mobile development": {
        "upwork_categories": ["Mobile App Development"],
        "freelancer_jobs": [
            (71, "Mobile App Development", FL_MOBILE), (72, "Android", FL_MOBILE),
            (73, "iPhone", FL_MOBILE), (74, "Flutter", FL_MOBILE), (75, "Kotlin", FL_MOBILE),
            (76, "Swift", FL_MOBILE),
        ],
        "skills": ["Mobile App Development", "Android", "iOS", "Flutter", "React Native",
                   "Kotlin", "Swift", "Java", "Firebase", "Dart"],
        "titles": [
            "Build a {stack} app for a {niche}",
            "Fix crashes in our Android app",
            "iOS developer to publish app on the App Store",
            "Cross-platform mobile app MVP",
            "Add push notifications to our {stack} app",
        ],
        "sentences": [
            "We need a mobile developer to build a {stack} app for our {niche}.",
            "The app has about {n} screens, a login, payments and push notifications.",
            "Backend is Firebase; designs are ready in Figma.",
            "You should have at least two apps live on Google Play or the App Store.",
            "Please estimate the time for an MVP in your proposal.",
        ],
        "stacks": ["Flutter", "React Native", "Kotlin", "Swift"],
        "hourly_usd": 42.0,
        "budget_usd": 1500.0,
        "hourly_share": 0.45,
        "weight": 8.0,
    },
    "data science & analytics": {
        "upwork_categories": ["Data Analysis & Testing", "Data Visualization", "Data Mining & Management"],
        "freelancer_jobs": [
            (81, "Data Analysis", FL_WEB), (82, "Statistics", FL_WEB), (83, "Power BI", FL_WEB),
            (84, "SQL", FL_WEB), (85, "Tableau", FL_WEB), (86, "Excel", FL_ADMIN),
        ],
        "skills": ["Data Analysis", "SQL", "Python", "Power BI", "Tableau", "Microsoft Excel",
                   "Statistics", "Data Visualization", "R", "Google Analytics", "pandas"],
        "titles": [
            "Power BI dashboard for sales data",
            "Data analyst to clean and analyze survey results",
            "SQL queries and reporting for {niche}",
            "Statistical analysis of {topic} data",
            "Build Tableau dashboards from {n} data sources",
        ],
        "sentences": [
            "We have sales and marketing data in several spreadsheets and a PostgreSQL database.",
            "We need a data analyst to build a dashboard and a monthly report for our {niche}.",
            "You should be comfortable with SQL, Python and Power BI or Tableau.",
            "The dataset has about {n}00,000 rows.",
            "Please describe a similar analysis you did.",
        ],
        "hourly_usd": 45.0,
        "budget_usd": 400.0,
        "hourly_share": 0.5,
        "weight": 5.0,
    },
    "machine learning & AI": {
        "upwork_categories": ["AI & Machine Learning", "Machine Learning"],
        "freelancer_jobs": [
            (91, "Machine Learning (ML)", FL_WEB), (92, "Artificial Intelligence", FL_WEB),
            (93, "Deep Learning", FL_WEB), (94, "Natural Language Processing", FL_WEB),
            (63, "Python", FL_WEB), (95, "Computer Vision", FL_WEB),
        ],
        "skills": ["Machine Learning", "Python", "Deep Learning", "TensorFlow", "PyTorch",
                   "Natural Language Processing", "Computer Vision", "scikit-learn",
                   "Artificial Intelligence"],
        "titles": [
            "Machine learning model to predict {topic} outcomes",
            "Computer vision model for product images",
            "NLP classifier for customer messages",
            "Improve accuracy of our ML pipeline",
            "AI engineer for {niche}",
        ],
        "sentences": [
            "We are looking for a machine learning engineer to help our {niche} with a prediction model.",
            "We have about {n}0,000 labeled examples and a baseline model in Python.",
            "You will clean the data, train and evaluate models and deploy an API.",
            "Experience with PyTorch or TensorFlow and scikit-learn is required.",
            "Please link to a GitHub repository or a paper you worked on.",
        ],
        "hourly_usd": 55.0,
        "budget_usd": 1000.0,
        "hourly_share": 0.55,
        "weight": 4.0,
    },
    "data entry & annotation": {
        "upwork_categories": ["Data Entry & Transcription Services", "Data Entry"],
        "freelancer_jobs": [
            (101, "Data Entry", FL_ADMIN), (102, "Web Search", FL_ADMIN),
            (103, "Data Processing", FL_ADMIN), (104, "Copy Typing", FL_ADMIN),
            (86, "Excel", FL_ADMIN),
        ],
        "skills": ["Data Entry", "Microsoft Excel", "Google Sheets", "Typing", "Data Scraping",
                   "Transcription", "Lead Lists", "Web Research", "Data Labeling"],
        "titles": [
            "Data entry from PDF invoices into Excel",
            "Collect contact details of {n}00 {niche} leads",
            "Transcribe {n} hours of interviews",
            "Copy product data into our online store",
            "Image annotation for training data",
        ],
        "sentences": [
            "We need a detail-oriented person to enter data from scanned documents into a Google Sheet.",
            "There are about {n}00 records; accuracy matters more than speed.",
            "You will receive a template and clear instructions.",
            "Basic Excel skills and a reliable internet connection are required.",
            "This is a simple task, ideal for beginners with good English.",
        ],
        "hourly_usd": 9.0,
        "budget_usd": 60.0,
        "hourly_share": 0.45,
        "weight": 7.0,
    },
    "sales & marketing": {
        "upwork_categories": ["Digital Marketing", "Lead Generation & Telemarketing",
                              "Marketing, PR & Brand Strategy"],
        "freelancer_jobs": [
            (111, "Internet Marketing", FL_SALES), (112, "Social Media Marketing", FL_SALES),
            (113, "Lead Generation", FL_SALES),
            (114, "Search Engine Optimization (SEO)", FL_SALES),
            (115, "Facebook Marketing", FL_SALES),
        ],
        "skills": ["Social Media Marketing", "Facebook Ads", "Google Ads", "SEO",
                   "Lead Generation", "Email Marketing", "Marketing Strategy",
                   "Instagram Marketing", "Cold Calling"],
        "titles": [
            "Facebook and Instagram ads manager for {niche}",
            "SEO specialist to rank our {niche} website",
            "Lead generation for B2B {niche}",
            "Email marketing campaigns in Klaviyo",
            "Social media manager for {niche}",
        ],
        "sentences": [
            "We are a {niche} looking for a marketer to run paid ads with a budget of ${n},000 a month.",
            "You will plan campaigns, write ad copy with our writer and report results weekly.",
            "Proven results with Facebook Ads or Google Ads are required; show us numbers.",
            "We also want to improve our organic search traffic around {topic}.",
            "Please include case studies in your proposal.",
        ],
        "hourly_usd": 30.0,
        "budget_usd": 350.0,
        "hourly_share": 0.45,
        "weight": 9.0,
    },
    "admin support": {
        "upwork_categories": ["Virtual Assistance", "Project Management"],
        "freelancer_jobs": [
            (121, "Virtual Assistant", FL_ADMIN), (122, "Email Handling", FL_ADMIN),
            (123, "Administrative Support", FL_ADMIN), (124, "Project Management", FL_BUSINESS),
        ],
        "skills": ["Virtual Assistance", "Email Management", "Calendar Management",
                   "Administrative Support", "Google Workspace", "Scheduling",
                   "Project Management", "Asana"],
        "titles": [
            "Virtual assistant for busy {niche} founder",
            "Executive assistant (part-time)",
            "Admin support: inbox and calendar management",
            "Project coordinator for {niche}",
        ],
        "sentences": [
            "We need a virtual assistant to manage email, calendar and travel bookings.",
            "You will also update our CRM and prepare simple reports for our {niche}.",
            "About {n}0 hours per week, with some overlap with US business hours.",
            "Strong English and experience with Google Workspace are required.",
        ],
        "hourly_usd": 11.0,
        "budget_usd": 150.0,
        "hourly_share": 0.75,
        "weight": 6.0,
    },
    "accounting & finance": {
        "upwork_categories": ["Accounting & Bookkeeping", "Financial Planning"],
        "freelancer_jobs": [
            (131, "Accounting", FL_BUSINESS), (132, "Bookkeeping", FL_BUSINESS),
            (133, "Finance", FL_BUSINESS), (134, "Xero", FL_BUSINESS),
            (135, "QuickBooks", FL_BUSINESS),
        ],
        "skills": ["Bookkeeping", "QuickBooks Online", "Xero", "Accounting", "Financial Modeling",
                   "Tax Preparation", "Accounts Payable", "Financial Reporting"],
        "titles": [
            "Bookkeeper for a small {niche}",
            "QuickBooks cleanup for {n} months",
            "Financial model for our {niche}",
            "Monthly reconciliation in Xero",
        ],
        "sentences": [
            "We need a bookkeeper to reconcile our accounts and prepare monthly statements.",
            "We use QuickBooks Online and have about {n}00 transactions a month.",
            "Experience with US small business accounting is required.",
            "CPA or equivalent qualification is a plus.",
        ],
        "hourly_usd": 30.0,
        "budget_usd": 300.0,
        "hourly_share": 0.6,
        "weight": 4.0,
    },
    "engineering & architecture": {
        "upwork_categories": ["3D Modeling & CAD", "Mechanical Engineering",
                              "Civil & Structural Engineering"],
        "freelancer_jobs": [
            (141, "AutoCAD", FL_ENGINEERING), (142, "Mechanical Engineering", FL_ENGINEERING),
            (143, "3D Modelling", FL_DESIGN), (144, "Electrical Engineering", FL_ENGINEERING),
            (145, "Architecture", FL_DESIGN),
        ],
        "skills": ["AutoCAD", "SolidWorks", "3D Modeling", "Mechanical Engineering",
                   "Structural Engineering", "Revit", "CAD", "Product Design"],
        "titles": [
            "SolidWorks model of a plastic enclosure",
            "AutoCAD floor plans for {n} rooms",
            "Structural calculations for a small extension",
            "3D CAD model for product prototype",
        ],
        "sentences": [
            "We need an engineer to turn our sketches into production-ready CAD drawings.",
            "The part is about {n}0 cm long and will be injection molded.",
            "Please deliver STEP files and 2D drawings with tolerances.",
            "Experience with SolidWorks or Fusion 360 is required.",
        ],
        "hourly_usd": 45.0,
        "budget_usd": 500.0,
        "hourly_share": 0.4,
        "weight": 4.0,
    },
    "legal": {
        "upwork_categories": ["Legal", "Corporate & Contract Law"],
        "freelancer_jobs": [
            (151, "Legal", FL_BUSINESS), (152, "Contracts", FL_BUSINESS),
            (153, "Legal Research", FL_BUSINESS), (154, "Legal Writing", FL_BUSINESS),
        ],
        "skills": ["Contract Drafting", "Legal Research", "Legal Writing", "Business Law",
                   "Intellectual Property Law", "Contract Law", "Compliance"],
        "titles": [
            "Review a SaaS terms of service",
            "Draft contractor agreement for {niche}",
            "Privacy policy and GDPR review",
            "Legal research on {topic} regulations",
        ],
        "sentences": [
            "We need a qualified lawyer to review and update our terms of service.",
            "We operate a {niche} in the US and the EU, so GDPR matters.",
            "Please mention your bar admission and relevant experience.",
            "The work should take about {n} hours.",
        ],
        "hourly_usd": 60.0,
        "budget_usd": 400.0,
        "hourly_share": 0.5,
        "weight": 3.0,
    },
}

# AI skills and where they appear: skill -> {category: (share before event, share at full effect)}.
# "Chatbot Development" is rare before the event (x21 = +2000 % after); ChatGPT, LLM and
# prompt engineering do not exist before it (ChatGPT launched 2022-11-30).
AI_SKILLS: dict[str, dict[str, tuple[float, float]]] = {
    "Chatbot Development": {"machine learning & AI": (0.04, 0.84)},
    "ChatGPT": {
        "writing": (0.0, 0.12), "machine learning & AI": (0.0, 0.45),
        "web & software development": (0.0, 0.06), "sales & marketing": (0.0, 0.08),
        "customer service": (0.0, 0.05),
    },
    "Large Language Model": {"machine learning & AI": (0.0, 0.40),
                             "web & software development": (0.0, 0.03)},
    "Prompt Engineering": {"machine learning & AI": (0.0, 0.25), "writing": (0.0, 0.05)},
    "OpenAI API": {"machine learning & AI": (0.0, 0.20), "web & software development": (0.0, 0.03)},
}

# Title used for postings that carry a given AI skill (so the text says it, too).
AI_TITLES = {
    "Chatbot Development": ["Build a customer support chatbot for {niche}",
                            "Chatbot developer for our website",
                            "AI chatbot integration with WhatsApp"],
    "ChatGPT": ["Use ChatGPT to speed up {topic} content",
                "ChatGPT expert to automate our workflows"],
    "Large Language Model": ["Fine-tune an LLM on our {topic} documents",
                             "LLM engineer for retrieval-augmented chatbot"],
    "Prompt Engineering": ["Prompt engineer for {niche}", "Write prompts for our AI assistant"],
    "OpenAI API": ["Integrate OpenAI API into our {niche} app"],
}
AI_SENTENCES = {
    "Chatbot Development": "The chatbot should answer common questions and hand over to a human when needed.",
    "ChatGPT": "Experience using ChatGPT in a professional workflow is expected.",
    "Large Language Model": "You should know how to evaluate and deploy large language models (LLMs).",
    "Prompt Engineering": "Strong prompt engineering skills are a must.",
    "OpenAI API": "We will use the OpenAI API (GPT-4) for the language features.",
}

# Client countries (Upwork's Country line) with weights.
COUNTRIES = [
    ("United States", 46), ("United Kingdom", 9), ("Canada", 6), ("Australia", 6),
    ("Germany", 4), ("India", 3), ("Netherlands", 2), ("France", 2),
    ("United Arab Emirates", 2), ("Israel", 2), ("Singapore", 1.5), ("Switzerland", 1.5),
    ("Spain", 1.5), ("Sweden", 1), ("Ireland", 1), ("Pakistan", 1), ("Nigeria", 1),
    ("Philippines", 1), ("Brazil", 1), ("New Zealand", 1), ("Denmark", 1), ("Poland", 1),
    ("South Africa", 1), ("Saudi Arabia", 1), ("Italy", 1), ("Belgium", 1), ("Norway", 1),
]

# Freelancer currencies as the API describes them; USD per unit is exchange_rate.
CURRENCIES = [
    ({"id": 1, "code": "USD", "sign": "$", "name": "US Dollar", "exchange_rate": 1.0,
      "country": "US", "is_external": False, "is_escrowcom_supported": True}, 75),
    ({"id": 8, "code": "EUR", "sign": "\u20ac", "name": "Euro", "exchange_rate": 1.08,
      "country": "EU", "is_external": False, "is_escrowcom_supported": True}, 7),
    ({"id": 9, "code": "GBP", "sign": "\u00a3", "name": "British Pound", "exchange_rate": 1.25,
      "country": "GB", "is_external": False, "is_escrowcom_supported": True}, 6),
    ({"id": 11, "code": "INR", "sign": "\u20b9", "name": "Indian Rupee", "exchange_rate": 0.012,
      "country": "IN", "is_external": False, "is_escrowcom_supported": False}, 6),
    ({"id": 3, "code": "AUD", "sign": "$", "name": "Australian Dollar", "exchange_rate": 0.66,
      "country": "AU", "is_external": False, "is_escrowcom_supported": True}, 3),
    ({"id": 2, "code": "CAD", "sign": "$", "name": "Canadian Dollar", "exchange_rate": 0.74,
      "country": "CA", "is_external": False, "is_escrowcom_supported": True}, 3),
]

# Upwork search query that finds a category's postings (fixtures group feeds by query).
UPWORK_QUERIES = {
    "writing": "writing",
    "translation": "translation",
    "customer service": "customer service",
    "video editing & production": "video editing",
    "graphic design": "graphic design",
    "web design": "web design",
    "web & software development": "web development",
    "mobile development": "mobile app",
    "data science & analytics": "data analysis",
    "machine learning & AI": "machine learning",
    "data entry & annotation": "data entry",
    "sales & marketing": "marketing",
    "admin support": "virtual assistant",
    "accounting & finance": "bookkeeping",
    "engineering & architecture": "cad",
    "legal": "legal",
}
